// npm run bench:fraud — the fraud engine's cost, in two parts, written to bench/RESULTS.md ("## Fraud checks"):
//   1. in memory: 1M clicks over 24 h across 1k affiliates (skewed like real programs, 2.5% converting) fed through
//      the engine, then the time of each evaluateConversion on top of those counters (p50/p99), the cost per click
//      and the memory the state takes;
//   2. postbacks: the real /api/postback core on our own HTTP server, same database, same requests, fraud checks
//      on (the engine loaded in part 1) versus off, alternating rounds in one run; postbacks/s and latency.
import http from "node:http";
import os from "node:os";
import type { AddressInfo } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { randomUUID } from "node:crypto";
import { benchDatabase, machine, stamp, writeSection } from "./lib/report";
import { ensureLocalSecrets } from "../server/local-secrets";
import { FraudEngine } from "../server/fraud/engine";
import { RULES } from "../server/fraud/rules";
import { browserUserAgent, residentialIp, seededRandom } from "../server/fraud/simulate";
import { STARTER_BLOCKLIST } from "../server/fraud/starter-blocklist";
import { DAY, MINUTE, SECOND } from "../server/fraud/traffic";
import type { ConversionCandidate, FraudVerdict, StoredClick } from "../server/fraud/types";

const AFFILIATES = Number(process.env.BENCH_AFFILIATES ?? 1_000);
const CLICKS = Number(process.env.BENCH_CLICKS ?? 1_000_000);
const EVALUATIONS = 20_000;
const CONCURRENCY = 32;
const ROUND = Number(process.env.BENCH_ROUND ?? 500);
const ROUNDS = 10;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

// ---------- part 1: the engine in memory ----------

function loadEngine(random: () => number, end: number) {
  const engine = new FraudEngine({ log: () => {} });
  engine.setBlocklist(STARTER_BLOCKLIST);
  // Affiliate traffic follows a power law: a few big publishers, a long tail.
  const weights = Array.from({ length: AFFILIATES }, (_, i) => 1 / (i + 1) ** 0.8);
  const cumulative = weights.map(((sum) => (w: number) => (sum += w))(0));
  const totalWeight = cumulative.at(-1)!;
  const pickAffiliate = () => {
    const r = random() * totalWeight;
    let lo = 0;
    let hi = AFFILIATES - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < r) lo = mid + 1;
      else hi = mid;
    }
    return `aff-${lo}`;
  };

  const start = end - DAY;
  const recentIds: string[] = [];
  let clickNs = 0n;
  let conversions = 0;
  let loadFlagged = 0;
  const batch = 10_000;
  for (let done = 0; done < CLICKS; done += batch) {
    const clicks = Array.from({ length: Math.min(batch, CLICKS - done) }, (_, i) => {
      const at = start + Math.floor(((done + i) * DAY) / CLICKS);
      return { clickId: `c${done + i}`, affiliateId: pickAffiliate(), at, ip: residentialIp(random), userAgent: browserUserAgent(random), isBot: false, billable: true };
    });
    const t0 = process.hrtime.bigint();
    for (const click of clicks) engine.recordClick(click);
    clickNs += process.hrtime.bigint() - t0;
    for (const click of clicks) {
      if (random() >= 0.025) continue;
      conversions += 1;
      const receivedAt = Math.min(end, click.at + 30 * SECOND + Math.floor(random() * 90 * MINUTE));
      if (engine.evaluate(candidate(click.affiliateId, click.clickId, click.at, receivedAt, click.ip)).decision !== "PASS") loadFlagged += 1;
    }
    for (const click of clicks.slice(-100)) recentIds.push(click.clickId);
  }
  return { engine, pickAffiliate, recentIds: recentIds.slice(-50_000), clickNsPer: Number(clickNs) / CLICKS, conversions, loadFlagged };
}

function candidate(affiliateId: string, clickId: string, clickedAt: number, receivedAt: number, ip: string | null): ConversionCandidate {
  return {
    merchantId: "m",
    offerId: "o",
    affiliateId,
    linkId: 1,
    clickId,
    clickedAt: new Date(clickedAt),
    receivedAt: new Date(receivedAt),
    customerId: `cust-${randomUUID()}`,
    ip,
    amountMinor: 4990,
    currency: "EUR",
    txnId: randomUUID(),
  };
}

function measureEvaluations(loaded: ReturnType<typeof loadEngine>, random: () => number, end: number) {
  const timings: number[] = [];
  let flagged = 0;
  for (let i = 0; i < EVALUATIONS; i++) {
    // Half on recent clicks the engine saw (it kept traits for the notable ones), half on clicks it never saw.
    const known = i % 2 === 0;
    const clickId = known ? loaded.recentIds[Math.floor(random() * loaded.recentIds.length)]! : `unknown-${i}`;
    const c = candidate(loaded.pickAffiliate(), clickId, end - 20 * MINUTE, end + i, residentialIp(random));
    const t0 = process.hrtime.bigint();
    const verdict = loaded.engine.evaluate(c);
    timings.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (verdict.decision !== "PASS") flagged += 1;
  }
  timings.sort((a, b) => a - b);
  return { p50: quantile(timings, 0.5), p99: quantile(timings, 0.99), p999: quantile(timings, 0.999), max: timings.at(-1)!, mean: timings.reduce((a, b) => a + b, 0) / timings.length, flagged };
}

// ---------- part 2: postbacks with checks on and off ----------

interface Load {
  count: number;
  ms: number;
  latencies: number[];
  statuses: Map<number, number>;
}

function drive(baseUrl: string, paths: string[], agent: http.Agent, into: Load): Promise<void> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      const t0 = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        http.get(`${baseUrl}${path}`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        }).on("error", reject);
      });
      into.latencies.push(performance.now() - t0);
      into.statuses.set(status, (into.statuses.get(status) ?? 0) + 1);
    }
  };
  return Promise.all(Array.from({ length: CONCURRENCY }, worker)).then(() => {
    into.count += paths.length;
    into.ms += performance.now() - started;
  });
}

async function postbackComparison(engine: FraudEngine, random: () => number) {
  // Imported after DATABASE_URL points at the bench database: the pool reads it on first use.
  const { db, closeDb } = await import("../server/db");
  const { env } = await import("../server/env");
  const { createAppServer, closeServer } = await import("../server/http/server");
  const { defaultPostbackDeps, postbackRoute } = await import("../server/conversions/http");
  const { generatePostbackToken, postbackTokenFields } = await import("../server/merchants/postback-token");
  const { createClickIdCodec } = await import("../server/tracking/click-id");
  const { judge } = await import("../server/fraud/index");

  const token = generatePostbackToken();
  const merchant = await db.merchant.create({ data: { name: "Bench shop", defaultCurrency: "EUR", ...postbackTokenFields(token) } });
  const offer = await db.offer.create({ data: { merchantId: merchant.id, name: "Bench offer", payoutModel: "CPA", cpaAmountMinor: 1500, currency: "EUR" } });
  const links: { id: number; affiliateId: string }[] = [];
  for (let i = 0; i < 50; i++) {
    const affiliate = await db.affiliate.create({ data: { name: `Bench ${i}`, email: `bench-${i}@bench.local`, payoutMethod: "PAYPAL", currency: "EUR" } });
    links.push(await db.link.create({ data: { slug: `bench-${i}`, affiliateId: affiliate.id, offerId: offer.id, destinationUrl: "https://shop.example/" } }));
  }

  const codec = createClickIdCodec(env().CLICK_ID_SECRET);
  const pass = (): FraudVerdict => ({ score: 0, decision: "PASS", flags: [], reason: null });
  const modes = {
    off: { ...defaultPostbackDeps(), evaluate: pass },
    on: { ...defaultPostbackDeps(), evaluate: (c: ConversionCandidate, click: StoredClick | null) => judge(engine, c, click) },
  };
  const servers = await Promise.all(
    Object.values(modes).map(async (deps) => {
      const server = createAppServer({ routes: [postbackRoute(() => deps)] });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    }),
  );
  const [offServer, onServer] = servers as [(typeof servers)[number], (typeof servers)[number]];

  // Each postback has its own click; 3% of them are stuffed cookies converting 2 s after the click, so the "on"
  // side also writes held commissions with flags. Three clicks in four were served by this process (the engine
  // counted them); the fourth by another instance, so the checks read its row (one primary-key probe).
  const requests = (n: number) =>
    Array.from({ length: n }, () => {
      const link = links[Math.floor(random() * links.length)]!;
      const fast = random() < 0.03;
      const clickedAt = Date.now() - (fast ? 2 * SECOND : 5 * MINUTE + Math.floor(random() * 55 * MINUTE));
      const clickId = codec.sign(link.id, clickedAt);
      const ip = residentialIp(random);
      if (random() < 0.75) engine.recordClick({ clickId, affiliateId: link.affiliateId, at: clickedAt, ip, userAgent: browserUserAgent(random), isBot: false, billable: true });
      return `/api/postback?${new URLSearchParams({ token, click_id: clickId, txn_id: randomUUID(), amount: "49.90", currency: "EUR", ip })}`;
    });

  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const load = () => ({ count: 0, ms: 0, latencies: [], statuses: new Map() }) as Load;
  await drive(offServer.url, requests(300), agent, load()); // warm-up: connections, prepared statements, JIT
  await drive(onServer.url, requests(300), agent, load());
  // Short alternating rounds, the order swapped every round, so a burst of other work on the shared machine lands
  // on both sides alike; each round pair gives a ratio, and their median is the figure least moved by such bursts.
  const results = { off: load(), on: load() };
  const pairRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const pair = { off: load(), on: load() };
    for (const side of round % 2 ? (["on", "off"] as const) : (["off", "on"] as const)) {
      await drive(side === "on" ? onServer.url : offServer.url, requests(ROUND), agent, pair[side]);
    }
    pairRatios.push((pair.on.count / pair.on.ms) / (pair.off.count / pair.off.ms));
    for (const side of ["off", "on"] as const) {
      results[side].count += pair[side].count;
      results[side].ms += pair[side].ms;
      results[side].latencies.push(...pair[side].latencies);
      for (const [status, n] of pair[side].statuses) results[side].statuses.set(status, (results[side].statuses.get(status) ?? 0) + n);
    }
  }
  pairRatios.sort((a, b) => a - b);
  agent.destroy();
  await Promise.all(servers.map((s) => closeServer(s.server, 1_000)));

  const [conversions, held] = await Promise.all([
    db.conversion.count({ where: { merchantId: merchant.id } }),
    db.commission.count({ where: { status: "HELD", offerId: offer.id } }),
  ]);
  await closeDb();
  const summary = (l: Load) => {
    l.latencies.sort((a, b) => a - b);
    return { rps: (l.count / l.ms) * 1000, p50: quantile(l.latencies, 0.5), p99: quantile(l.latencies, 0.99), count: l.count, ok: l.statuses.get(200) ?? 0 };
  };
  const medianRatio = (pairRatios[(ROUNDS - 1) >> 1]! + pairRatios[ROUNDS >> 1]!) / 2;
  return { off: summary(results.off), on: summary(results.on), conversions, held, sent: 600 + 2 * ROUNDS * ROUND, pairRatios, medianRatio };
}

// ---------- main ----------

async function main() {
  ensureLocalSecrets();
  const random = seededRandom(2026);
  const end = Date.now();

  console.log(`[bench] loading ${CLICKS.toLocaleString("en")} clicks across ${AFFILIATES} affiliates…`);
  const heapBefore = heapMb();
  const loadStarted = performance.now();
  const loaded = loadEngine(random, end);
  const loadMs = performance.now() - loadStarted;
  const heapAfter = heapMb();
  // Three passes: on a shared 2-core machine one pass can be hit by another process's burst; the median pass is
  // the figure, every pass is listed.
  const loadBefore = os.loadavg()[0]!;
  const passes = [0, 1, 2].map(() => measureEvaluations(loaded, random, end));
  const evaluation = [...passes].sort((a, b) => a.p99 - b.p99)[1]!;
  console.log("[bench] evaluation passes", passes);

  console.log("[bench] postbacks, fraud checks off vs on…");
  const database = await benchDatabase("bench_fraud");
  process.env.DATABASE_URL = database.url;
  let postbacks: Awaited<ReturnType<typeof postbackComparison>>;
  try {
    postbacks = await postbackComparison(loaded.engine, random);
  } finally {
    await database.drop();
  }
  const ratio = postbacks.on.rps / postbacks.off.rps;
  const f = (n: number, digits = 1) => n.toFixed(digits);
  const int = (n: number) => Math.round(n).toLocaleString("en");
  const stats = loaded.engine.traffic.stats();

  const report = [
    "## Fraud checks",
    "",
    `Measured ${stamp()} on ${machine()}. The machine is shared: other work may have been running.`,
    "",
    `**Evaluation in memory** — ${int(CLICKS)} clicks over 24 h across ${int(AFFILIATES)} affiliates (power-law volumes, residential IPs, a browser mix), ` +
      `${int(loaded.conversions)} conversions evaluated while loading; then 3 passes of ${int(EVALUATIONS)} evaluations at the end of the day (half on recent click ids the engine saw, half on ids it never saw), each timed alone:`,
    "",
    `| evaluateConversion, µs per conversion (${RULES.length} rules and the combined score) | p50 | p99 | p99.9 | max | mean |`,
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...passes.map((e, i) => `| pass ${i + 1}${e === evaluation ? " (median p99)" : ""} | ${f(e.p50)} | ${f(e.p99)} | ${f(e.p999)} | ${f(e.max)} | ${f(e.mean)} |`),
    "",
    `- p99 **${f(evaluation.p99 / 1000, 3)} ms** (median of the three passes; goal ≤ 1 ms). 1-min load average of the machine ${f(loadBefore)} before the passes, ${f(os.loadavg()[0]!)} after the postback rounds.`,
    `- Cost per click fed to the engine (the click-stream listener): ${f(loaded.clickNsPer / 1000, 2)} µs mean; loading took ${int(loadMs)} ms including generating the traffic.`,
    `- Memory held by the engine's state after the load: ${int(heapAfter - heapBefore)} MB of heap (${int(stats.notableClicks)} notable clicks remembered with their traits, ${int(stats.velocityKeys)} velocity keys, ${stats.affiliates} affiliates).`,
    `- Flagged among the ${int(loaded.conversions)} honest conversions evaluated while loading (2.5 % of clicks converting 30 s–90 min later): ${int(loaded.loadFlagged)}. Among the ${int(3 * EVALUATIONS)} measurement conversions: ${int(passes.reduce((n, e) => n + e.flagged, 0))} — they all arrive within a minute on clicks 20 min old, a burst of sales that \`conversion_pace\` rightly holds (timing figures include those flagged evaluations).`,
    "",
    `**Postback throughput, fraud checks off vs on** — our HTTP server, the real postback core and database (fresh, migrated), ` +
      `${CONCURRENCY} concurrent keep-alive clients, ${ROUNDS} alternating rounds (order swapped each round) of ${int(ROUND)} postbacks per side after a 300-postback warm-up each; ` +
      "every postback has its own click (3% converting 2 s after it, which the checks hold), a quarter of them served by \"another instance\" (the engine never counted them: the checks read the click's row). \"On\" uses the engine loaded above.",
    "",
    "| fraud checks | postbacks/s | p50 (ms) | p99 (ms) | 200s |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| off | ${int(postbacks.off.rps)} | ${f(postbacks.off.p50)} | ${f(postbacks.off.p99)} | ${int(postbacks.off.ok)} / ${int(postbacks.off.count)} |`,
    `| on | ${int(postbacks.on.rps)} | ${f(postbacks.on.p50)} | ${f(postbacks.on.p99)} | ${int(postbacks.on.ok)} / ${int(postbacks.on.count)} |`,
    "",
    `- Ratio on/off: **${f(postbacks.medianRatio, 2)}**, the median of the ${ROUNDS} round pairs (goal ≥ 0.9); pairs ranged ${f(postbacks.pairRatios[0]!, 2)}–${f(postbacks.pairRatios.at(-1)!, 2)}, all rounds pooled ${f(ratio, 2)}.`,
    `- For scale: one evaluation takes ~${f(evaluation.mean)} µs (mean); at ${int(postbacks.off.rps)} postbacks/s each postback accounts for ~${f(1000 / postbacks.off.rps, 1)} ms of the process's time.`,
    `- Reconciliation: ${int(postbacks.sent)} postbacks sent (warm-ups included), ${int(postbacks.conversions)} conversions in the database; ${int(postbacks.held)} commissions held by the checks.`,
    "",
  ].join("\n");
  console.log(`\n${report}`);
  writeSection("## Fraud checks", report);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
