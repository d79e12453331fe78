// npm run bench:wakeup — why per-click work costs /go more than its own CPU time: the bare baseline server of
// bench:redirect with a busy-wait of 10 µs per request, spent before the response is written or after it (once per
// event-loop turn, as our click listeners run), against the plain baseline. Same wrk load as bench:redirect's
// "one visitor" (50 connections, alternating rounds). Figures go to bench/RESULTS.md, section "Per-request work
// and the socket".
import os from "node:os";
import { type ServerProcess, startServerProcess } from "../server/testing/server-process";
import { cpuSeconds } from "./lib/cpu";
import { machine, stamp, writeSection } from "./lib/report";
import { hasWrk, withWrk } from "./lib/wrk";

const SECTION = "## Per-request work and the socket";
const BUSY_US = 10;
const SECONDS = 5;
const ROUNDS = 3;
const CONNECTIONS = 50;
const SHAPE = ["-H", "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"];

const VARIANTS = [
  { name: "bare (no added work)", env: {} },
  { name: `+ ${BUSY_US} µs before the response`, env: { BUSY_US: String(BUSY_US), BUSY_MODE: "inline" } },
  { name: `+ ${BUSY_US} µs after the responses (once per turn)`, env: { BUSY_US: String(BUSY_US), BUSY_MODE: "after" } },
] as const;

function drive(server: ServerProcess, seconds: number) {
  const before = cpuSeconds(server.child.pid!);
  const load = withWrk(`${server.url}/go/demo`, seconds, SHAPE, CONNECTIONS);
  return { ...load, cpuUs: ((cpuSeconds(server.child.pid!) - before) * 1e6) / Math.max(1, load.redirects) };
}

async function main() {
  if (!hasWrk()) throw new Error("bench:wakeup needs wrk (apt-get install wrk)");
  const servers = await Promise.all(VARIANTS.map((v) => startServerProcess({ env: v.env, argv: ["bench/bare-redirect.mjs"] })));
  try {
    const loadBefore = os.loadavg()[0]!;
    for (const server of servers) drive(server, 1);
    const totals = VARIANTS.map(() => ({ requests: 0, cpu: 0, seconds: 0, p99: 0 }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, server] of servers.entries()) {
        const load = drive(server, SECONDS);
        const t = totals[i]!;
        t.requests += load.redirects;
        t.cpu += load.cpuUs * load.redirects;
        t.seconds += SECONDS;
        t.p99 = Math.max(t.p99, load.p99);
      }
    }
    const rows = totals.map((t) => ({ rps: t.requests / t.seconds, cpuUs: t.cpu / Math.max(1, t.requests), p99: t.p99 }));
    const base = rows[0]!;
    const report = [
      SECTION,
      "",
      `Measured ${stamp()} on ${machine()}; 1-min load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0]!.toFixed(1)} after.`,
      `bench/bare-redirect.mjs under wrk (one thread, ${CONNECTIONS} connections, \`GET /go/demo\`), ${ROUNDS} rounds of ${SECONDS} s per variant, interleaved.`,
      "",
      "| variant | req/s | p99 (ms) | server CPU per request (µs) | added CPU per request (µs) |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...VARIANTS.map((v, i) => {
        const r = rows[i]!;
        return `| ${v.name} | ${Math.round(r.rps).toLocaleString("en")} | ${r.p99} | ${r.cpuUs.toFixed(1)} | ${i === 0 ? "–" : (r.cpuUs - base.cpuUs).toFixed(1)} |`;
      }),
      "",
      `- ${BUSY_US} µs of work per request costs the server more than ${BUSY_US} µs when it runs between reading a request and writing its answer: ` +
        "the answers go out spread apart, and each finds the load generator asleep and must wake it (a system call that crosses to the other core). " +
        "Run after the answers of a turn, the same work costs about itself. So /go does before its answer only what the answer or the click row needs " +
        "(the signed id, the bot and repeat checks), and feeds the fraud counters and writes the clicks after the turn's answers.",
      "",
    ].join("\n");
    console.log(`\n${report}`);
    writeSection(SECTION, report);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
