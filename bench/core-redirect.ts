// The middle server of bench:redirect: our /go route on a plain node:http server with the same 10,000 + 1 links,
// doing all a redirect must do before its answer (the signed click id, the bot and repeat checks, the click record,
// the Location, the metrics) and keeping nothing after it: no click buffered or stored, no fraud counters. Between
// the bare baseline and our server it splits the gap into the work before the answer and the bookkeeping after it.
import http from "node:http";
import { createClickIdCodec } from "../server/tracking/click-id";
import { goHandler } from "../server/tracking/go-route";
import { LinkCache, type LinkRow } from "../server/tracking/link-cache";
import { RepeatDetector } from "../server/tracking/visitor";

const links = Number(process.env.LINKS ?? 10_000);
const row = (id: number, slug: string, destinationUrl: string): LinkRow => ({
  id, slug, destinationUrl, affiliateId: "a-bench", offerId: "o-bench", active: true, clickIdParam: "click_id",
});
const cache = new LinkCache();
cache.replaceAll([row(links, "demo", "https://shop.example/landing?ref=bench"), ...Array.from({ length: links }, (_, i) => row(i, `l-${i}`, `https://shop.example/p/${i}`))]);

const secret = process.env.CLICK_ID_SECRET;
if (!secret) throw new Error("CLICK_ID_SECRET is not set (bench:redirect sets it)");
const deps = { sign: createClickIdCodec(secret).sign, repeats: new RepeatDetector() };
const handle = goHandler({ cache, deps, trustedHops: Number(process.env.TRUST_PROXY ?? 0), accept: () => {} });

const server = http.createServer((req, res) => {
  if (req.url?.startsWith("/go/")) return handle(req, res);
  res.writeHead(404).end();
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(`ready on http://localhost:${(server.address() as { port: number }).port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
