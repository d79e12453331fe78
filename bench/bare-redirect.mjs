// The baseline of bench/redirect.ts: a bare Node http server doing the least a redirect needs (parse the slug, one
// Map lookup over as many links as the benchmark database holds, a 302). No click id, no click, no metrics.
import http from "node:http";

const links = Number(process.env.LINKS ?? 10_000);
const map = new Map([["demo", "https://shop.example/landing?ref=bench"]]);
for (let i = 0; i < links; i++) map.set(`l-${i}`, `https://shop.example/p/${i}`);

const server = http.createServer((req, res) => {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const destination = path.startsWith("/go/") ? map.get(path.slice(4)) : undefined;
  if (!destination) return void res.writeHead(404).end();
  res.writeHead(302, ["location", destination, "cache-control", "private, no-store", "content-length", "0"]);
  res.end();
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(`ready on http://localhost:${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
