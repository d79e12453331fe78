// npm run bench:redirect — /go/demo on our server (SERVE_NEXT=0, TRUST_PROXY=1, its own database with /go/demo and
// 10k other links) against a bare Node http server doing the same Map lookup and 302, and against our /go route
// alone on a plain server (bench/core-redirect.ts: everything before the answer, nothing kept after it): the same
// load on all three in the same run (50 connections, 10 s per server and pattern in 2 alternating rounds after a
// 2 s warm-up), then the clicks in PostgreSQL are counted against the redirects our server served. Two traffic
// patterns:
//   - one visitor: every request from one IP and user agent (a flood: each click a repeat, notable to the fraud
//     engine's velocity checks — the worst case for our bookkeeping);
//   - many visitors: every request from an IP of its own (bench/wrk-visitors.lua; needs wrk).
// The load comes from wrk when it is installed (`apt-get install wrk`: one C thread, so more of the 2 cores is left
// to the servers), otherwise from autocannon in this process (one visitor only); BENCH_LOAD=autocannon|wrk chooses.
// Figures go to bench/RESULTS.md, section "Redirect (/go)".
import autocannon from "autocannon";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureLocalSecrets } from "../server/local-secrets";
import { type ServerProcess, startServerProcess } from "../server/testing/server-process";
import { cpuSeconds, postgresSeconds } from "./lib/cpu";
import { benchDatabase, machine, stamp, writeSection } from "./lib/report";
import { type Measured, hasWrk, withWrk } from "./lib/wrk";

const SECTION = "## Redirect (/go)";
const LINKS = 10_000;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = 2;
const BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const PATH = "/go/demo?sub1=bench&sub2=spring";
const VISITORS_SCRIPT = path.resolve(import.meta.dirname, "wrk-visitors.lua");

const LOAD = (process.env.BENCH_LOAD ?? (hasWrk() ? "wrk" : "autocannon")) as "wrk" | "autocannon";

interface Pattern {
  name: string;
  /** wrk arguments that shape the requests; null: autocannon with one user agent. */
  wrk: string[] | null;
}

const PATTERNS: Pattern[] =
  LOAD === "wrk"
    ? [
        { name: "one visitor", wrk: ["-H", `User-Agent: ${BROWSER}`] },
        { name: "many visitors", wrk: ["-s", VISITORS_SCRIPT] },
      ]
    : [{ name: "one visitor", wrk: null }];

interface Load extends Measured {
  /** CPU time (user + system) the server process spent per answered request, µs. */
  cpuUs: number;
  /** PostgreSQL's CPU over the same time, in % of one core (null: not our own cluster). */
  pgPercent: number | null;
}

async function seed(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`
    INSERT INTO merchants (id, name, "postbackTokenHash", "postbackTokenPrefix", "defaultCurrency") VALUES ('m-bench', 'Bench', 'bench-hash', 'bench', 'EUR');
    INSERT INTO offers (id, "merchantId", name, "payoutModel", "cpaAmountMinor", currency) VALUES ('o-bench', 'm-bench', 'Bench offer', 'CPA', 1000, 'EUR');
    INSERT INTO affiliates (id, name, email, "payoutMethod", currency) VALUES ('a-bench', 'Bench affiliate', 'bench@bench.test', 'PAYPAL', 'EUR');
    INSERT INTO links (slug, "affiliateId", "offerId", "destinationUrl", "updatedAt")
      VALUES ('demo', 'a-bench', 'o-bench', 'https://shop.example/landing?ref=bench', now());
    INSERT INTO links (slug, "affiliateId", "offerId", "destinationUrl", "updatedAt")
      SELECT 'l-' || i, 'a-bench', 'o-bench', 'https://shop.example/p/' || i, now() FROM generate_series(0, ${LINKS - 1}) AS i;`);
  await client.end();
}

async function withAutocannon(url: string, duration: number): Promise<Measured> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers: { "user-agent": BROWSER } });
  const redirects = result.statusCodeStats["302"]?.count ?? 0;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, redirects, errors: result.errors + result.timeouts + result.non2xx - redirects };
}

async function drive(server: ServerProcess, pattern: Pattern, duration: number, postmaster: number | null): Promise<Load> {
  const cpuBefore = cpuSeconds(server.child.pid!);
  const pgBefore = postgresSeconds(postmaster);
  const started = Date.now();
  const measured = pattern.wrk ? withWrk(server.url + PATH, duration, pattern.wrk, CONNECTIONS) : await withAutocannon(server.url + PATH, duration);
  const seconds = (Date.now() - started) / 1000;
  const pgAfter = postgresSeconds(postmaster);
  return {
    ...measured,
    cpuUs: ((cpuSeconds(server.child.pid!) - cpuBefore) * 1e6) / Math.max(1, measured.redirects),
    pgPercent: pgBefore === null || pgAfter === null ? null : ((pgAfter - pgBefore) / seconds) * 100,
  };
}

/** Our server's /metrics (a production start refuses it without its token). */
const METRICS_TOKEN = "bench-redirect-metrics-token";
const metricsText = async (url: string) => (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();

async function served(url: string): Promise<number> {
  const text = await metricsText(url);
  return ["redirect", "bot", "head"].reduce((n, outcome) => n + Number(new RegExp(`^go_redirects_total\\{outcome="${outcome}"\\} (\\d+)`, "m").exec(text)?.[1] ?? 0), 0);
}

async function main() {
  ensureLocalSecrets();
  const db = await benchDatabase("bench_redirect");
  const { postmaster } = db;
  const servers: ServerProcess[] = [];
  try {
    await seed(db.url);
    const bare = await startServerProcess({ env: { LINKS: String(LINKS) }, argv: ["bench/bare-redirect.mjs"] });
    servers.push(bare);
    const core = await startServerProcess({ env: { LINKS: String(LINKS), TRUST_PROXY: "1" }, argv: ["--import", "tsx", "bench/core-redirect.ts"] });
    servers.push(core);
    const ours = await startServerProcess({ env: { DATABASE_URL: db.url, NODE_ENV: "production", LINK_RESYNC_MS: "600000", TRUST_PROXY: "1", METRICS_TOKEN } });
    servers.push(ours);

    const loadBefore = os.loadavg()[0]!;
    const results: { pattern: Pattern; bare: Load; core: Load; ours: Load }[] = [];
    for (const pattern of PATTERNS) {
      // Warm both up, then alternate rounds so that load from other processes on a shared machine falls on both alike.
      for (const server of [bare, core, ours]) await drive(server, pattern, 2, postmaster);
      const rounds = { bare: [] as Load[], core: [] as Load[], ours: [] as Load[] };
      for (let round = 0; round < ROUNDS; round++) {
        console.log(`[bench] ${pattern.name}, round ${round + 1}/${ROUNDS}: bare, our core alone, ours`);
        rounds.bare.push(await drive(bare, pattern, DURATION_S / ROUNDS, postmaster));
        rounds.core.push(await drive(core, pattern, DURATION_S / ROUNDS, postmaster));
        rounds.ours.push(await drive(ours, pattern, DURATION_S / ROUNDS, postmaster));
      }
      results.push({ pattern, bare: combine(rounds.bare), core: combine(rounds.core), ours: combine(rounds.ours) });
    }
    const loadAfter = os.loadavg()[0]!;

    const servedByServer = await served(ours.url);
    const latencyLines = (await metricsText(ours.url)).split("\n").filter((l) => l.startsWith("go_redirect_duration_seconds_"));
    const exit = await ours.stop(); // graceful: flushes the click buffer
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM clicks c JOIN links l ON l.id = c."linkId" WHERE l.slug = 'demo'`);
    await client.end();
    const stored = rows[0]!.n;

    const pct = (value: number | null) => (value === null ? "n/a" : `${Math.round(value)} %`);
    const row = (server: string, pattern: string, load: Load) =>
      `| ${server} | ${pattern} | ${Math.round(load.rps).toLocaleString("en")} | ${load.p50} | ${load.p99} | ${load.cpuUs.toFixed(1)} | ${pct(load.pgPercent)} | ${load.redirects.toLocaleString("en")} | ${load.errors} |`;
    const report = [
      SECTION,
      "",
      `Measured ${stamp()} on ${machine()}.`,
      `${LOAD === "wrk" ? "wrk (one thread)" : "autocannon in the same process as the orchestrator"}, ${CONNECTIONS} connections, ${DURATION_S} s per server and pattern after a 2 s warm-up, in ${ROUNDS} alternating rounds;`,
      `\`GET ${PATH}\`; patterns: *one visitor* (one IP, a Chrome user agent: every click a repeat and velocity-notable — a flood)` +
        `${LOAD === "wrk" ? ", *many visitors* (an IP of its own per request, four browser user agents: a viral link)" : ""}.`,
      `Our server: SERVE_NEXT=0, NODE_ENV=production, TRUST_PROXY=1, ${LINKS.toLocaleString("en")} + 1 links cached.`,
      `The machine's 2 cores run the load generator, the server under test and PostgreSQL (1-min load average ${loadBefore.toFixed(1)} before the rounds, ${loadAfter.toFixed(1)} after).`,
      "",
      "| server | pattern | req/s | p50 (ms) | p99 (ms) | server CPU per request (µs) | PostgreSQL CPU (one core = 100 %) | 302s | errors |",
      "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...results.flatMap(({ pattern, bare, core, ours }) => [
        row("bare Node (Map lookup + 302)", pattern.name, bare),
        row("our /go route alone (click id, bot + repeat check, metrics; nothing kept)", pattern.name, core),
        row("ours (the same, plus the click stored and the fraud counters)", pattern.name, ours),
      ]),
      "",
      ...results.map(
        ({ pattern, bare, core, ours }) =>
          `- ${pattern.name}: ratio ours/bare **${(ours.rps / bare.rps).toFixed(2)}** in req/s (goal ≥ 0.8), our p99 ${ours.p99} ms (goal ≤ 10 ms); ` +
          `server CPU per request bare/ours ${(bare.cpuUs / ours.cpuUs).toFixed(2)}. The route alone reaches ${(core.rps / bare.rps).toFixed(2)} of bare ` +
          `(the work before each answer); storing the clicks and counting them for fraud takes ours to ${(ours.rps / core.rps).toFixed(2)} of that.`,
      ),
      `- In-process redirect time (our histogram, all patterns): ${histogramQuantiles(latencyLines)}.`,
      `- Clicks: our server answered ${servedByServer.toLocaleString("en")} redirects with a click (warm-ups included); after the graceful stop (exit ${exit}) PostgreSQL holds ` +
        `**${stored.toLocaleString("en")}** clicks for /go/demo: ${stored === servedByServer ? "stored = served" : `MISMATCH (${stored - servedByServer})`}.`,
      "",
    ].join("\n");
    console.log(`\n${report}`);
    writeSection(SECTION, report);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  }
}

/** Rounds summed: req/s over the whole time, the worst round's percentiles (no mergeable histogram from the tools). */
function combine(rounds: Load[]): Load {
  const redirects = rounds.reduce((sum, r) => sum + r.redirects, 0);
  const pg = rounds.map((r) => r.pgPercent);
  return {
    cpuUs: rounds.reduce((sum, r) => sum + r.cpuUs * r.redirects, 0) / Math.max(1, redirects),
    pgPercent: pg.includes(null) ? null : (pg as number[]).reduce((a, b) => a + b, 0) / pg.length,
    rps: rounds.reduce((sum, r) => sum + r.rps, 0) / rounds.length,
    p50: Math.max(...rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    redirects,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** p50/p99 from the cumulative buckets of go_redirect_duration_seconds (upper bound of the bucket reached). */
function histogramQuantiles(lines: string[]): string {
  const buckets = lines
    .map((l) => /_bucket\{le="([^"]+)"\} (\d+)/.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ le: m[1]!, count: Number(m[2]) }));
  const total = buckets.at(-1)?.count ?? 0;
  const at = (q: number) => buckets.find((b) => b.count >= q * total)?.le ?? "?";
  const us = (le: string) => (le === "+Inf" ? "> 50 ms" : `≤ ${Number(le) * 1e6} µs`);
  return `p50 ${us(at(0.5))}, p99 ${us(at(0.99))} of ${total.toLocaleString("en")} redirects`;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
