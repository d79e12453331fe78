// npm run bench:webhooks — outbox-to-delivered latency of the webhook relay at a steady event rate, without and
// with one extra endpoint that never answers (accepts the TCP connection, then hangs). Written to bench/RESULTS.md
// ("## Webhooks"). Goal: the healthy endpoints' p95 grows by at most 10 % when the dead endpoint is added.
//
// Each phase: a fresh merchant with HEALTHY receivers on 127.0.0.1 (verifying every signature, as a merchant's
// would; plus the dead one in "with dead" phases), one relay with its production defaults, and outbox rows inserted
// at RATE/s for SECONDS s the way the postback path writes them (INSERT + NOTIFY in one transaction). Latency =
// receiver's arrival time − the event's created_at (the outbox row's insert time). A phase lasts at least three send
// timeouts, so the dead endpoint's slots time out and are refilled again and again during it (12 s phases with a
// 10 s timeout saw a single refill: 16 requests). Phases alternate (healthy, dead, healthy, dead, …) and the goal
// compares the MEDIAN of the phases' p95s: on a shared 2-core machine another process's burst can stall one phase
// for seconds, and a median over alternating phases is what such a burst cannot move; the pooled p95 (all phases
// of a kind together) is reported next to it.
//   BENCH_TIMEOUT_MS (default the relay's 10 s), BENCH_SECONDS (default 3 timeouts), BENCH_ROUNDS (default 3):
//   short settings only to check the script works — figures need the defaults.
import { randomUUID } from "node:crypto";
import net from "node:net";
import pg from "pg";
import { ensureLocalSecrets } from "../server/local-secrets";
import { SEND_TIMEOUT_MS } from "../server/webhooks/send";
import { WAKE_RELAYS_SQL } from "../server/webhooks/wake";
import { benchDatabase, machine, stamp, writeSection } from "./lib/report";

const RATE = 200; // events per second
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? SEND_TIMEOUT_MS);
const SECONDS = Number(process.env.BENCH_SECONDS ?? (3 * TIMEOUT_MS) / 1000);
const HEALTHY = 3;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PER_ENDPOINT = 8; // the relay's default
const TICK_MS = 20;

interface PhaseResult {
  label: string;
  events: number;
  delivered: number;
  /** Requests the healthy receivers got: equal to `delivered` when nothing was sent twice. */
  requests: number;
  latencies: number[];
  /** Requests whose signature the receiver could not verify (answered 401). */
  unverified: number;
  deadRequests: number;
  drainMs: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const f = (n: number, digits = 1) => n.toFixed(digits);
const int = (n: number) => Math.round(n).toLocaleString("en-US");

/** Accepts TCP connections and never answers: the relay's request waits for its timeout. */
async function deadEndpoint() {
  const sockets = new Set<net.Socket>();
  let requests = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("data", () => (requests += 1));
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

async function main() {
  if (SECONDS * 1000 < 3 * TIMEOUT_MS) console.warn(`[bench] phases shorter than 3 send timeouts: the dead endpoint's slots are not full throughout`);
  ensureLocalSecrets(); // WEBHOOK_SECRET_KEY: endpoints' secrets are stored sealed, as the app stores them
  const database = await benchDatabase("bench_webhooks");
  process.env.DATABASE_URL = database.url;
  // Imported after DATABASE_URL points at the bench database (env() is read on first use).
  const { WebhookRelay } = await import("../server/webhooks/relay");
  const { parsePolicy } = await import("../server/webhooks/ssrf");
  const { generateSecret } = await import("../server/webhooks/signing");
  const { sealSecret } = await import("../server/webhooks/secret-box");
  const { startReceiver } = await import("../server/webhooks/test-receiver");
  const policy = parsePolicy("127.0.0.1", false);
  const producer = new pg.Client({ connectionString: database.url });
  await producer.connect();

  async function phase(label: string, withDead: boolean, seconds = SECONDS): Promise<PhaseResult> {
    const { rows } = await producer.query<{ id: string }>(
      `INSERT INTO merchants (name, "postbackTokenHash", "postbackTokenPrefix", "defaultCurrency")
       VALUES ($1, md5(random()::text), 'bench', 'EUR') RETURNING id`,
      [`bench ${label}`],
    );
    const merchantId = rows[0]!.id;
    const receivers = await Promise.all(Array.from({ length: HEALTHY }, () => startReceiver({ secrets: [generateSecret()] })));
    const dead = withDead ? await deadEndpoint() : null;
    for (const [url, secret] of [...receivers.map((r) => [r.url, r.secrets[0]!]), ...(dead ? [[dead.url, generateSecret()]] : [])]) {
      const id = randomUUID();
      await producer.query(
        `INSERT INTO webhook_endpoints (id, "merchantId", url, secret, "updatedAt") VALUES ($1, $2, $3, $4, now())`,
        [id, merchantId, url, sealSecret(secret!, id)],
      );
    }
    // Scoped to this phase's merchant: an earlier phase's dead-endpoint retries stay out of this one.
    const relay = new WebhookRelay({ connectionString: database.url, policy, merchantIds: [merchantId], timeoutMs: TIMEOUT_MS, log: () => {} });
    await relay.start();

    // Steady rate: each tick inserts what the schedule says is due, in one transaction with its NOTIFY.
    const started = Date.now();
    let events = 0;
    while (Date.now() - started < seconds * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * RATE) - events;
      if (due > 0) {
        await producer.query(
          `WITH e AS (
             INSERT INTO outbox_events (type, "merchantId", payload)
             SELECT 'conversion.created', $1, jsonb_build_object('n', $2::int + g, 'amount_minor', 4990, 'currency', 'EUR')
             FROM generate_series(1, $3::int) g RETURNING 1
           ) SELECT count(*), ${WAKE_RELAYS_SQL} FROM e`,
          [merchantId, events, due],
        );
        events += due;
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    const stoppedProducing = Date.now();
    await Promise.all(receivers.map((r) => r.waitFor(events, 120_000)));
    const drainMs = Date.now() - stoppedProducing;
    await relay.stop(500);

    const latencies: number[] = [];
    for (const r of receivers) {
      for (const q of r.requests) latencies.push(q.receivedAt - Date.parse((JSON.parse(q.body) as { created_at: string }).created_at));
    }
    const delivered = receivers.reduce((n, r) => n + new Set(r.requests.map((q) => q.headers["webhook-id"])).size, 0);
    const requests = receivers.reduce((n, r) => n + r.requests.length, 0);
    const unverified = receivers.reduce((n, r) => n + r.rejected.length, 0);
    const deadRequests = dead?.requests() ?? 0;
    await Promise.all([...receivers.map((r) => r.close()), dead?.close()]);
    const sorted = latencies.sort((a, b) => a - b);
    console.log(
      `[bench] ${label}: ${events} events, ${delivered} deliveries, p50 ${quantile(sorted, 0.5)} ms, p95 ${quantile(sorted, 0.95)} ms, ` +
        `drain ${drainMs} ms${dead ? `, dead endpoint got ${deadRequests} requests` : ""}`,
    );
    return { label, events, delivered, requests, latencies: sorted, unverified, deadRequests, drainMs };
  }

  await phase("warm-up", true, 3); // JIT, connection pools and PostgreSQL's caches; not reported
  const results: PhaseResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    results.push(await phase(`healthy only, round ${round}`, false));
    results.push(await phase(`with a dead endpoint, round ${round}`, true));
  }
  await producer.end();
  await database.drop();

  const pooled = (withDead: boolean) =>
    results.filter((r) => r.label.startsWith(withDead ? "with" : "healthy")).flatMap((r) => r.latencies).sort((a, b) => a - b);
  const [base, dead] = [pooled(false), pooled(true)];
  const medianP95 = (withDead: boolean) => {
    const p95s = results.filter((r) => r.label.startsWith(withDead ? "with" : "healthy")).map((r) => quantile(r.latencies, 0.95)).sort((x, y) => x - y);
    return p95s.length % 2 ? p95s[(p95s.length - 1) / 2]! : (p95s[p95s.length / 2 - 1]! + p95s[p95s.length / 2]!) / 2;
  };
  const [baseP95, deadP95] = [medianP95(false), medianP95(true)];
  const spread = (withDead: boolean) => {
    const p95s = results.filter((r) => r.label.startsWith(withDead ? "with" : "healthy")).map((r) => quantile(r.latencies, 0.95));
    return `${f(Math.min(...p95s), 0)}–${f(Math.max(...p95s), 0)} ms`;
  };
  const change = (withDead: number, without: number) => {
    const pct = (withDead / without - 1) * 100;
    return `**${pct >= 0 ? "+" : ""}${f(pct)} %**`;
  };
  const [basePooledP95, deadPooledP95] = [quantile(base, 0.95), quantile(dead, 0.95)];
  // After each timeout the dead endpoint's free slots are refilled from its backlog at once.
  const deadExpected = PER_ENDPOINT * Math.floor((SECONDS * 1000) / TIMEOUT_MS);
  const deadPhases = results.filter((r) => r.label.startsWith("with"));
  const seconds = (ms: number) => `${f(ms / 1000, ms % 1000 ? 1 : 0)} s`;
  const row = (label: string, l: number[], events: number, delivered: number, extra: string) =>
    `| ${label} | ${int(events)} | ${int(delivered)} | ${f(quantile(l, 0.5), 0)} | ${f(quantile(l, 0.95), 0)} | ${f(quantile(l, 0.99), 0)} | ${f(l.at(-1) ?? NaN, 0)} | ${extra} |`;

  const report = [
    "## Webhooks",
    "",
    `Measured ${stamp()} on ${machine()}. The machine is shared: other work may have been running.`,
    `One relay with its defaults (8 in flight per endpoint, 256 in all, its own pool of 4 connections, LISTEN + 1 s poll), ` +
      `${HEALTHY} healthy receivers on 127.0.0.1 verifying each signature and answering 200 at once, all in one process with the event producer; ` +
      `${RATE} events/s for ${SECONDS} s per phase (${f((SECONDS * 1000) / TIMEOUT_MS)} send timeouts of ${seconds(TIMEOUT_MS)}), each event to every endpoint; ` +
      `phases alternate over ${ROUNDS} rounds after a 3 s warm-up. ` +
      "Latency: receiver arrival − the outbox row's created_at (ms).",
    "",
    "| phase | events | delivered (healthy) | p50 | p95 | p99 | max | notes |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...results.map((r) =>
      row(r.label, r.latencies, r.events, r.delivered, r.deadRequests ? `dead endpoint: ${r.deadRequests} requests, none answered (${seconds(TIMEOUT_MS)} timeouts)` : `drained ${r.drainMs} ms after the last insert`),
    ),
    row("**healthy only, pooled**", base, 0, 0, "").replace(/\| 0 \| 0 \|/, "| | |"),
    row("**with a dead endpoint, pooled**", dead, 0, 0, "").replace(/\| 0 \| 0 \|/, "| | |"),
    "",
    `- Healthy endpoints' p95, median over the ${ROUNDS} rounds: ${f(baseP95, 0)} ms without, ${f(deadP95, 0)} ms with the dead endpoint: ` +
      `${change(deadP95, baseP95)} (goal ≤ +10 %). Spread of the phases' p95 in this run: ${spread(false)} without, ${spread(true)} with.`,
    `- Healthy endpoints' p95, all phases of a kind pooled: ${f(basePooledP95, 0)} ms without, ${f(deadPooledP95, 0)} ms with: ${change(deadPooledP95, basePooledP95)}.`,
    `- The dead endpoint held its ${PER_ENDPOINT} slots for the whole of every phase (at least ${deadExpected} requests, refilled after each timeout): ` +
      `${deadPhases.every((r) => r.deadRequests >= deadExpected) ? "yes" : "NO"} (${deadPhases.map((r) => r.deadRequests).join(", ")}).`,
    `- Every event reached every healthy endpoint exactly once in every phase, with a signature the receiver verified: ` +
      `${results.every((r) => r.delivered === r.events * HEALTHY && r.requests === r.delivered && r.unverified === 0) ? "yes" : "NO"}.`,
    "",
  ].join("\n");
  console.log(`\n${report}`);
  writeSection("## Webhooks", report);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
