// The baseline of bench/redirect.ts: a bare Node http server doing the least a redirect needs (parse the slug, one
// Map lookup over as many links as the benchmark database holds, a 302). No click id, no click, no metrics.
// bench/wakeup.ts adds a busy-wait of BUSY_US µs per request, either before the response is written
// (BUSY_MODE=inline) or after it, batched once per event-loop turn as our click listeners run (BUSY_MODE=after).
import http from "node:http";

const links = Number(process.env.LINKS ?? 10_000);
const map = new Map([["demo", "https://shop.example/landing?ref=bench"]]);
for (let i = 0; i < links; i++) map.set(`l-${i}`, `https://shop.example/p/${i}`);

const busyNs = BigInt(Math.round(Number(process.env.BUSY_US ?? 0) * 1000));
const busyAfter = process.env.BUSY_MODE === "after";
const spin = (ns) => {
  const end = process.hrtime.bigint() + ns;
  while (process.hrtime.bigint() < end);
};
let owed = 0n;
const payOwed = () => {
  spin(owed);
  owed = 0n;
};

const server = http.createServer((req, res) => {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const destination = path.startsWith("/go/") ? map.get(path.slice(4)) : undefined;
  if (!destination) return void res.writeHead(404).end();
  if (busyNs && !busyAfter) spin(busyNs);
  res.writeHead(302, ["location", destination, "cache-control", "private, no-store", "content-length", "0"]);
  res.end();
  if (busyNs && busyAfter) {
    if (owed === 0n) setImmediate(payOwed);
    owed += busyNs;
  }
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => console.log(`ready on http://localhost:${server.address().port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
