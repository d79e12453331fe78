// npm run bench:redirect — /go/demo on our server (SERVE_NEXT=0, its own database with /go/demo and 10k other
// links) against a bare Node http server doing the same Map lookup and 302, same load in the same run (50
// connections, 10 s each in 2 alternating rounds after a 2 s warm-up). The load comes from wrk when it is
// installed (`apt-get install wrk`: one C thread, so more of the 2 cores is left to the servers), otherwise from
// autocannon in this process; BENCH_LOAD=autocannon|wrk chooses. Then the clicks in PostgreSQL are counted
// against the redirects our server served. Figures go to bench/RESULTS.md, section "Redirect (/go)".
import autocannon from "autocannon";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import { ensureLocalSecrets } from "../server/local-secrets";
import { type ServerProcess, startServerProcess } from "../server/testing/server-process";
import { benchDatabase, machine, stamp, writeSection } from "./lib/report";

const SECTION = "## Redirect (/go)";
const LINKS = 10_000;
const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const ROUNDS = 2;
const BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const PATH = "/go/demo?sub1=bench&sub2=spring";

interface Load {
  /** CPU time (user + system) the server process spent per answered request, µs. */
  cpuUs: number;
  rps: number;
  p50: number;
  p99: number;
  redirects: number;
  errors: number;
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

/** user + system CPU seconds of a process so far (/proc/<pid>/stat, clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const hasWrk = () => spawnSync("wrk", ["--version"]).error === undefined;
const LOAD = (process.env.BENCH_LOAD ?? (hasWrk() ? "wrk" : "autocannon")) as "wrk" | "autocannon";

type Measured = Omit<Load, "cpuUs">;

async function withAutocannon(url: string, duration: number): Promise<Measured> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration, headers: { "user-agent": BROWSER } });
  const redirects = result.statusCodeStats["302"]?.count ?? 0;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, redirects, errors: result.errors + result.timeouts + result.non2xx - redirects };
}

/** wrk, one thread: every answer here is a 302 (wrk counts 3xx as success), anything else is an error line. */
function withWrk(url: string, duration: number): Measured {
  const out = execFileSync("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${duration}s`, "--latency", "-H", `User-Agent: ${BROWSER}`, url], { encoding: "utf8" });
  const ms = (label: string) => {
    const m = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)$`, "m").exec(out);
    if (!m) throw new Error(`wrk: no ${label} latency in:\n${out}`);
    return Number(m[1]) * (m[2] === "us" ? 1e-3 : m[2] === "s" ? 1e3 : 1);
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + [...out.matchAll(/(connect|read|write|timeout) (\d+)/g)].reduce((n, m) => n + Number(m[2]), 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0), p50: ms("50%"), p99: ms("99%"), redirects: requests - errors, errors };
}

async function drive(server: ServerProcess, duration: number): Promise<Load> {
  const cpuBefore = cpuSeconds(server.child.pid!);
  const measured = LOAD === "wrk" ? withWrk(server.url + PATH, duration) : await withAutocannon(server.url + PATH, duration);
  return { ...measured, cpuUs: ((cpuSeconds(server.child.pid!) - cpuBefore) * 1e6) / Math.max(1, measured.redirects) };
}

async function served(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^go_redirects_total\{outcome="redirect"\} (\d+)/m.exec(text)?.[1] ?? 0);
}

async function main() {
  ensureLocalSecrets();
  const db = await benchDatabase("bench_redirect");
  const { url } = db;
  const servers: ServerProcess[] = [];
  try {
    await seed(url);

    const bare = await startServerProcess({ env: { LINKS: String(LINKS) }, argv: ["bench/bare-redirect.mjs"] });
    servers.push(bare);
    const ours = await startServerProcess({ env: { DATABASE_URL: url, NODE_ENV: "production", LINK_RESYNC_MS: "600000" } });
    servers.push(ours);
    // Warm both up, then alternate rounds so that load from other processes on a shared machine falls on both alike.
    await drive(bare, 2);
    const warm = await drive(ours, 2);
    const bareRounds: Load[] = [];
    const ourRounds: Load[] = [];
    const loadBefore = os.loadavg()[0]!;
    for (let round = 0; round < ROUNDS; round++) {
      console.log(`[bench] round ${round + 1}/${ROUNDS}: bare, then ours`);
      bareRounds.push(await drive(bare, DURATION_S / ROUNDS));
      ourRounds.push(await drive(ours, DURATION_S / ROUNDS));
    }
    const loadAfter = os.loadavg()[0]!;
    const bareLoad = combine(bareRounds);
    const ourLoad = combine(ourRounds);
    const servedByServer = await served(ours.url);
    const latencyLine = (await (await fetch(`${ours.url}/metrics`)).text()).split("\n").filter((l) => l.startsWith("go_redirect_duration_seconds_"));
    const exit = await ours.stop(); // graceful: flushes the click buffer
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM clicks c JOIN links l ON l.id = c."linkId" WHERE l.slug = 'demo'`);
    await client.end();
    const stored = rows[0]!.n;

    const ratio = ourLoad.rps / bareLoad.rps;
    const inProcess = histogramQuantiles(latencyLine);
    const report = [
      SECTION,
      "",
      `Measured ${stamp()} on ${machine()}.`,
      `${LOAD === "wrk" ? "wrk (one thread)" : "autocannon in the same process as the orchestrator"}, ${CONNECTIONS} connections, ${DURATION_S} s per server after a 2 s warm-up, in ${ROUNDS} alternating rounds;`,
      `\`GET ${PATH}\` with a Chrome user agent; our server: SERVE_NEXT=0, NODE_ENV=production, ${LINKS.toLocaleString("en")} + 1 links cached.`,
      `The machine is shared with other work (1-min load average ${loadBefore.toFixed(1)} before the rounds, ${loadAfter.toFixed(1)} after); its 2 cores run the load generator, the server under test and PostgreSQL.`,
      "",
      "| server | req/s | p50 (ms) | p99 (ms) | server CPU per request (µs) | 302s | errors |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      `| bare Node (Map lookup + 302) | ${Math.round(bareLoad.rps).toLocaleString("en")} | ${bareLoad.p50} | ${bareLoad.p99} | ${bareLoad.cpuUs.toFixed(1)} | ${bareLoad.redirects.toLocaleString("en")} | ${bareLoad.errors} |`,
      `| ours (/go: click id, bot + repeat check, click buffered, metrics) | ${Math.round(ourLoad.rps).toLocaleString("en")} | ${ourLoad.p50} | ${ourLoad.p99} | ${ourLoad.cpuUs.toFixed(1)} | ${ourLoad.redirects.toLocaleString("en")} | ${ourLoad.errors} |`,
      "",
      `- Ratio ours/bare: **${ratio.toFixed(2)}** in req/s (goal ≥ 0.8); our p99 ${ourLoad.p99} ms (goal ≤ 10 ms).`,
      `- Ratio of server CPU per request, bare/ours: **${(bareLoad.cpuUs / ourLoad.cpuUs).toFixed(2)}** — roughly the req/s ratio if each server had a core of its own ` +
        `(less sensitive than req/s to how busy the machine is; it counts our process only: PostgreSQL's CPU for the inserts is not in it, ` +
        `the fraud engine's click listener, which runs in our process, is).`,
      `- In-process redirect time (our histogram): ${inProcess}.`,
      `- Clicks: our server counted ${servedByServer.toLocaleString("en")} redirects (warm-up ${warm.redirects.toLocaleString("en")} + rounds ${ourLoad.redirects.toLocaleString("en")} seen by the load generator); ` +
        `after the graceful stop (exit ${exit}) PostgreSQL holds **${stored.toLocaleString("en")}** clicks for /go/demo: ` +
        `${stored === servedByServer ? "stored = served" : `MISMATCH (${stored - servedByServer})`}.`,
      "",
    ].join("\n");
    console.log(`\n${report}`);
    writeSection(SECTION, report);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await db.drop();
  }
}

/** Rounds summed: req/s over the whole time, the worst round's percentiles (autocannon gives no mergeable histogram). */
function combine(rounds: Load[]): Load {
  return {
    cpuUs: rounds.reduce((sum, r) => sum + r.cpuUs * r.redirects, 0) / Math.max(1, rounds.reduce((sum, r) => sum + r.redirects, 0)),
    rps: rounds.reduce((sum, r) => sum + r.rps, 0) / rounds.length,
    p50: Math.max(...rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    redirects: rounds.reduce((sum, r) => sum + r.redirects, 0),
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
