// The subscribers of bench:live, in a process of their own (as browsers would be on other machines): the load
// generator's event loop must not be the one parsing every stream. Opens BENCH_N streams (half managers, half
// affiliates, each its own user), prints "ready" once each has its first event; the first MAX_PROBES parse every
// event and note when each postback's event arrived (wall clock ms), the others count bytes without decoding.
// On SIGTERM it writes what it saw to BENCH_OUT and exits.
import { writeFileSync } from "node:fs";
import http from "node:http";
import { encode } from "next-auth/jwt";
import { ensureLocalSecrets } from "../server/local-secrets";

const BASE = process.env.BENCH_BASE!;
const N = Number(process.env.BENCH_N ?? 0);
const OUT = process.env.BENCH_OUT!;
const MAX_PROBES = 10;

interface Probe {
  role: string;
  received: Record<string, number>;
  events: number;
}

ensureLocalSecrets();
const secret = process.env.NEXTAUTH_SECRET!;
const probes: Probe[] = [];
let bytes = 0;
const requests: http.ClientRequest[] = [];

function open(i: number): Promise<void> {
  const role = i % 2 === 0 ? "MANAGER" : "AFFILIATE";
  const index = Math.floor(i / 2) + 1;
  const id = role === "MANAGER" ? `u-m-${index}` : `u-a-${index}`;
  const probe: Probe | null = i < MAX_PROBES ? { role, received: {}, events: 0 } : null;
  if (probe) probes.push(probe);
  return encode({ token: { id, email: `${id}@bench.test`, name: id, role, affiliateId: role === "AFFILIATE" ? `a-${index}` : null, merchantId: null, signedInAt: Date.now(), sid: `s-${id}` }, secret }).then(
    (token) =>
      new Promise<void>((resolve, reject) => {
        let ready = false;
        let head = "";
        let buffer = "";
        const input = encodeURIComponent(JSON.stringify({ json: {} }));
        const req = http.get(`${BASE}/api/trpc/live.events?input=${input}`, { headers: { accept: "text/event-stream", cookie: `next-auth.session-token=${token}` } }, (res) => {
          if (res.statusCode !== 200) return reject(new Error(`subscribe: HTTP ${res.statusCode}`));
          res.on("end", () => (ready ? undefined : reject(new Error(`stream ended before its first event: ${head.slice(0, 300)}`))));
          res.on("data", (chunk: Buffer) => {
            bytes += chunk.length;
            if (!probe) {
              if (!ready) {
                head += chunk.toString();
                if (/(^|\n)id: /.test(head)) ((ready = true), resolve());
              }
              return;
            }
            const now = Date.now();
            buffer += chunk.toString();
            let end: number;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const message = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              if (!/(^|\n)id: /.test(message)) continue;
              const data = message.split("\n").find((line) => line.startsWith("data: "));
              if (!data) continue;
              const envelope = JSON.parse(data.slice(6)) as { json: unknown };
              if (typeof envelope.json !== "string") continue;
              for (const event of JSON.parse(envelope.json) as { kind: string; data: { txnId?: string } }[]) {
                probe.events++;
                const txn = event.kind === "postback" ? event.data.txnId : undefined;
                if (txn && probe.received[txn] === undefined) probe.received[txn] = now;
              }
              if (!ready) ((ready = true), resolve());
            }
          });
        });
        req.on("error", (error) => (ready ? undefined : reject(error)));
        requests.push(req);
      }),
  );
}

process.on("SIGTERM", () => {
  for (const req of requests) req.destroy();
  writeFileSync(OUT, JSON.stringify({ probes, bytes }));
  process.exit(0);
});

for (let i = 0; i < N; i += 10) await Promise.all(Array.from({ length: Math.min(10, N - i) }, (_, j) => open(i + j)));
console.log("ready");
setInterval(() => {}, 1 << 30);
