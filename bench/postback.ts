// npm run bench:postback — /api/postback on our own server (SERVE_NEXT=0, NODE_ENV=production, a fresh database of
// its own) against a ceiling: the same SQL statements the core runs (context read + create statement for a new
// conversion, context read + log insert for a retry, log insert for a refusal) sent straight over `pg` with no
// HTTP, validation or JS in between. Same concurrency, same mix: unique txn_ids, 10% retries of earlier ones, 5%
// invalid (forged click ids). Side by side in the same run, a second server with the abuse limits off
// (RATE_LIMITS=off): the failure limiter must cost at most 5% (limits on / off >= 0.95). Then a reconciliation:
// accepted postbacks = conversions in the database, no txn_id twice, one commission and two outbox events per
// conversion. Figures go to bench/RESULTS.md, "## Postbacks". A short run: BENCH_COUNT=300 BENCH_WARMUP=60
// BENCH_CONCURRENCY=8 (figures of a short run on a busy machine mean nothing).
import { randomUUID } from "node:crypto";
import http from "node:http";
import pg from "pg";
import { cpuSeconds, postgresSeconds } from "./lib/cpu";
import { programSql } from "./lib/program";
import { benchDatabase, machine, stamp, writeSection } from "./lib/report";
import { startServerProcess } from "../server/testing/server-process";
import { ensureLocalSecrets } from "../server/local-secrets";

/** Concurrent clients per level; each level is measured on both sides. */
const LEVELS = (process.env.BENCH_CONCURRENCY ?? "8,32").split(",").map(Number);
const COUNT = Number(process.env.BENCH_COUNT ?? 6_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 600);
/** Rounds alternate between the two sides, so load from elsewhere on the machine hits both alike. */
const ROUNDS = 3;
const AFFILIATES = 20;
/** Without DATABASE_URL the bench starts its own cluster (.data/pg-bench): no WAL shared with other work. */
const OWN_CLUSTER = !process.env.DATABASE_URL;
const TOKEN = `pbt_bench_${randomUUID().replaceAll("-", "")}`;

interface Run {
  seconds: number;
  latencies: number[];
  accepted: number;
  duplicates: number;
  rejected: number;
  other: number;
  /** Retries answered with an id other than the original's (must be 0). */
  mismatched: number;
  /** CPU seconds spent meanwhile by this process (the clients, and the ceiling's SQL), our server, PostgreSQL. */
  cpu: { bench: number; server: number; postgres: number | null };
}

/** Whose CPU a run counts: our server's process and the benchmark's PostgreSQL cluster. */
const processes = { server: 0, postmaster: null as number | null };

function cpuNow() {
  const own = process.cpuUsage();
  return { bench: (own.user + own.system) / 1e6, server: processes.server ? cpuSeconds(processes.server) : 0, postgres: postgresSeconds(processes.postmaster) };
}

type Kind = "new" | "retry" | "invalid";

/** The request mix, decided up front so both sides see the same sequence. */
function plan(count: number): Kind[] {
  return Array.from({ length: count }, (_, i) => (i % 20 === 7 ? "invalid" : i % 10 === 3 && i > 20 ? "retry" : "new"));
}

async function seed(url: string, hash: string, prefix: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`${programSql({ tokenHash: hash, tokenPrefix: prefix, affiliates: AFFILIATES })}
    INSERT INTO commission_tiers (id, "offerId", "minConversions", "revshareBps") VALUES ('t-bench', 'o-bench', 100, 2000);`);
  const { rows } = await client.query<{ id: number }>("SELECT id FROM links ORDER BY id");
  await client.end();
  return rows.map((r) => r.id);
}

/** Runs `count` operations with `CONCURRENCY` workers; `op(i)` returns the outcome of operation i. */
async function drive(concurrency: number, kinds: Kind[], op: (kind: Kind, i: number) => Promise<"accepted" | "duplicate" | "rejected" | "mismatch" | "other">, run: Run = emptyRun()): Promise<Run> {
  let next = 0;
  const started = performance.now();
  const cpuBefore = cpuNow();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < kinds.length) {
        const i = next++;
        const t0 = performance.now();
        const outcome = await op(kinds[i]!, i);
        run.latencies.push(performance.now() - t0);
        if (outcome === "accepted") run.accepted++;
        else if (outcome === "duplicate") run.duplicates++;
        else if (outcome === "rejected") run.rejected++;
        else if (outcome === "mismatch") run.mismatched++;
        else run.other++;
      }
    }),
  );
  run.seconds += (performance.now() - started) / 1000;
  const cpuAfter = cpuNow();
  run.cpu.bench += cpuAfter.bench - cpuBefore.bench;
  run.cpu.server += cpuAfter.server - cpuBefore.server;
  run.cpu.postgres = run.cpu.postgres === null || cpuAfter.postgres === null ? null : run.cpu.postgres + cpuAfter.postgres - cpuBefore.postgres!;
  return run;
}

const emptyRun = (): Run => ({ seconds: 0, latencies: [], accepted: 0, duplicates: 0, rejected: 0, other: 0, mismatched: 0, cpu: { bench: 0, server: 0, postgres: 0 } });

const quantile = (latencies: number[], q: number) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

function get(agent: http.Agent, url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on("error", reject);
  });
}

async function main() {
  ensureLocalSecrets();
  const database = await benchDatabase("bench_postback");
  process.env.DATABASE_URL = database.url; // the modules below read it on first use
  const { hashPostbackToken } = await import("../server/merchants/postback-token");
  const { createClickIdCodec } = await import("../server/tracking/click-id");
  const { env } = await import("../server/env");
  const store = await import("../server/conversions/store");
  const links = await seed(database.url, hashPostbackToken(TOKEN), TOKEN.slice(0, 6));
  const codec = createClickIdCodec(env().CLICK_ID_SECRET);
  // Clicks ten minutes old: realistic, and outside the fraud checks' "converted too fast" window.
  const clickFor = (i: number) => codec.sign(links[i % links.length]!, Date.now() - 600_000);
  const forged = createClickIdCodec("bench-forger-secret-0123456789abcdefgh").sign(links[0]!);

  // The webhook relay (on by default in the server) would consume the outbox during the run; the ceiling has no
  // relay, so it is off here: this measures intake. bench:webhooks measures the relay.
  const server = await startServerProcess({ env: { DATABASE_URL: database.url, NODE_ENV: "production", WEBHOOK_RELAY: "0" } });
  // The same server with the abuse limits off, on the same database: the limiter's cost, measured side by side.
  const unlimitedServer = await startServerProcess({ env: { DATABASE_URL: database.url, NODE_ENV: "production", WEBHOOK_RELAY: "0", RATE_LIMITS: "off" } });
  Object.assign(processes, { server: server.child.pid!, postmaster: database.postmaster });
  const results = LEVELS.map((concurrency) => ({ concurrency, endpoint: emptyRun(), unlimited: emptyRun(), ceiling: emptyRun() }));
  let sent: { accepted: number; conversions: number; commissions: number; events: number; doubled: number };
  try {
    // ----- our endpoint -----
    const agent = new http.Agent({ keepAlive: true, maxSockets: Math.max(...LEVELS) });
    const endpointTxns: { txn: string; click: string; id?: string }[] = [];
    const viaHttp = (prefix: string, baseUrl = server.url) => async (kind: Kind, i: number) => {
      let original: (typeof endpointTxns)[number] | undefined;
      let params: Record<string, string>;
      if (kind === "retry" && endpointTxns.length) {
        original = endpointTxns[(i * 7919) % endpointTxns.length]!;
        params = { txn_id: original.txn, click_id: original.click };
      } else if (kind === "invalid") {
        params = { txn_id: `${prefix}-bad-${i}`, click_id: forged };
      } else {
        params = { txn_id: `${prefix}-${i}-${randomUUID()}`, click_id: clickFor(i) };
      }
      const query = new URLSearchParams({ token: TOKEN, ...params, amount: "49.90", currency: "EUR", sub1: "bench" });
      const res = await get(agent, `${baseUrl}/api/postback?${query}`);
      if (res.status === 200 && res.body.status === "created") {
        endpointTxns.push({ txn: params.txn_id!, click: params.click_id!, id: res.body.conversion_id });
        return "accepted" as const;
      }
      if (res.status === 200 && res.body.duplicate) return original && original.id !== res.body.conversion_id ? ("mismatch" as const) : ("duplicate" as const);
      if (res.status >= 400 && res.status < 500) return "rejected" as const;
      return "other" as const;
    };

    // ----- the ceiling: the same statements over pg, nothing else -----
    const pool = new pg.Pool({ connectionString: database.url, max: 20 });
    const hash = hashPostbackToken(TOKEN);
    const ceilingTxns: string[] = [];
    const logRow = (outcome: "DUPLICATE" | "REJECTED", conversionId: string | null, i: number) => ({
      merchantId: "m-bench", method: "GET", params: { txn_id: `c-${i}`, amount: "49.90" }, outcome, reasonCode: outcome === "REJECTED" ? ("forged_click" as const) : ("duplicate" as const), message: "bench",
      httpStatus: outcome === "REJECTED" ? 400 : 200, conversionId, ip: "127.0.0.1", receivedAt: new Date(),
    });
    const viaSql = (prefix: string) => async (kind: Kind, i: number) => {
      const client = await pool.connect();
      try {
        const at = new Date();
        if (kind === "invalid") {
          await store.writeLog(client, logRow("REJECTED", null, i));
          return "rejected" as const;
        }
        const txn = kind === "retry" && ceilingTxns.length ? ceilingTxns[(i * 7919) % ceilingTxns.length]! : `${prefix}-${i}-${randomUUID()}`;
        const click = clickFor(i);
        const monthStart = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
        const context = (await store.readContext(client, { tokenHash: hash, txnId: txn, clickId: click, clickLinkId: links[i % links.length]!, clickedAt: null, customerId: null, monthStart, day: at.toISOString().slice(0, 10), currency: "EUR", touchLinkIds: [] }))!;
        if (context.existing_id) {
          await store.writeLog(client, logRow("DUPLICATE", context.existing_id, i));
          return "duplicate" as const;
        }
        const conversion = {
          id: randomUUID(), merchantId: "m-bench", offerId: context.offer_id!, affiliateId: context.affiliate_id!, linkId: context.link_id!, clickId: click,
          clickedAt: new Date(at.getTime() - 600_000), txnId: txn, event: "sale", customerId: null, amountMinor: 4990, currency: "EUR", status: "PENDING" as const,
          ip: null, subs: ["bench", null, null, null, null], touchPath: [{ clickId: click, affiliateId: context.affiliate_id!, at: at.toISOString() }],
          fraudScore: 0, fraudDecision: "PASS" as const, createdAt: at,
        };
        const commission = { id: randomUUID(), amountMinor: 749, currency: "EUR", status: "PENDING" as const, calculation: "15% of 49.90 EUR = 7.49 EUR", fxRateId: null, holdUntil: at, heldReason: null, approvedAt: null };
        const events = [
          { id: `evt_${randomUUID().replaceAll("-", "")}`, type: "conversion.created", payload: { conversion: { id: conversion.id, txn_id: txn } } },
          { id: `evt_${randomUUID().replaceAll("-", "")}`, type: "commission.created", payload: { commission: { id: commission.id } } },
        ];
        const inserted = await store.insertConversion(client, store.createValues(conversion, commission, [], events, { method: "GET", params: { txn_id: txn }, message: "bench", ip: "127.0.0.1" }, { dailyCap: null, monthlyCap: null, day: at.toISOString().slice(0, 10), month: `${at.toISOString().slice(0, 7)}-01` }));
        if (inserted) ceilingTxns.push(txn);
        return inserted ? ("accepted" as const) : ("duplicate" as const);
      } finally {
        client.release();
      }
    };
    await drive(LEVELS[0]!, plan(WARMUP), viaHttp("warm"));
    await drive(LEVELS[0]!, plan(WARMUP), viaHttp("warm-off", unlimitedServer.url));
    await drive(LEVELS[0]!, plan(WARMUP), viaSql("cwarm"));
    for (const { concurrency, ceiling, endpoint, unlimited } of results) {
      for (let round = 0; round < ROUNDS; round++) {
        await drive(concurrency, plan(COUNT / ROUNDS), viaSql(`crun${concurrency}.${round}`), ceiling);
        await drive(concurrency, plan(COUNT / ROUNDS), viaHttp(`run${concurrency}.${round}`), endpoint);
        await drive(concurrency, plan(COUNT / ROUNDS), viaHttp(`run-off${concurrency}.${round}`, unlimitedServer.url), unlimited);
      }
    }
    agent.destroy();
    await pool.end();

    // ----- reconciliation of the endpoint's side -----
    const check = new pg.Client({ connectionString: database.url });
    await check.connect();
    const one = async (sql: string) => Number((await check.query<{ n: string }>(sql)).rows[0]!.n);
    const mine = `"txnId" LIKE 'warm-%' OR "txnId" LIKE 'run%'`;
    sent = {
      accepted: endpointTxns.length,
      conversions: await one(`SELECT count(*) AS n FROM conversions WHERE ${mine}`),
      commissions: await one(`SELECT count(*) AS n FROM commissions c JOIN conversions v ON v.id = c."conversionId" WHERE ${mine.replaceAll('"txnId"', 'v."txnId"')}`),
      events: await one(`SELECT count(*) AS n FROM outbox_events WHERE payload->'conversion'->>'txn_id' LIKE 'warm-%' OR payload->'conversion'->>'txn_id' LIKE 'run%' OR payload->'commission'->>'txn_id' LIKE 'warm-%' OR payload->'commission'->>'txn_id' LIKE 'run%'`),
      doubled: await one(`SELECT count(*) AS n FROM (SELECT "txnId" FROM conversions GROUP BY "merchantId", "txnId" HAVING count(*) > 1) d`),
    };
    await check.end();
  } finally {
    await server.stop();
    await unlimitedServer.stop();
    await database.drop();
  }

  const rps = (r: Run) => COUNT / r.seconds;
  const int = (n: number) => Math.round(n).toLocaleString("en-US");
  const ms = (n: number) => n.toFixed(1);
  /** CPU milliseconds per postback: clients + ceiling SQL (this process) / our server / PostgreSQL. */
  const perPostback = (seconds: number | null, r: Run) => (seconds === null ? "n/a" : ((seconds * 1000) / COUNT).toFixed(2));
  const row = (name: string, concurrency: number, r: Run) =>
    `| ${name} | ${concurrency} | ${int(rps(r))} | ${ms(quantile(r.latencies, 0.5))} | ${ms(quantile(r.latencies, 0.95))} | ${ms(quantile(r.latencies, 0.99))} | ` +
    `${perPostback(r.cpu.bench, r)} / ${name === "ours (/api/postback over HTTP)" ? perPostback(r.cpu.server, r) : "–"} / ${perPostback(r.cpu.postgres, r)} | ` +
    `${int(r.accepted)} / ${int(r.duplicates)} / ${int(r.rejected)} | ${int(r.other + r.mismatched)} |`;
  const mismatched = results.reduce((n, r) => n + r.endpoint.mismatched + r.unlimited.mismatched, 0);
  const report = [
    "## Postbacks",
    "",
    `Measured ${stamp()} on ${machine()}. The machine is shared: other work may have been running (load generator, server and PostgreSQL share its cores).`,
    `Per concurrency level, ${int(COUNT)} postbacks per side in ${ROUNDS} alternating rounds (after ${int(WARMUP)} of warm-up each), keep-alive clients; mix: unique txn_ids, 10% retries of accepted ones, 5% invalid (forged click id).`,
    `Endpoint: \`GET /api/postback\` on our server (SERVE_NEXT=0, NODE_ENV=production, fraud checks on, webhook relay off, fresh database ${OWN_CLUSTER ? "on its own embedded PostgreSQL cluster" : "on DATABASE_URL's server"}); REVSHARE offer with a volume tier, 20 affiliates.`,
    "Abuse limits off: a second server process on the same database with RATE_LIMITS=off, driven in the same alternating rounds (its CPU is not sampled).",
    "Ceiling: the core's own SQL (context read + create statement; context read + log for a retry; log for a refusal) over a 20-connection `pg` pool, no HTTP.",
    "",
    "| side | clients | postbacks/s | p50 (ms) | p95 (ms) | p99 (ms) | CPU ms per postback: clients / server / PostgreSQL | accepted / duplicate / rejected | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.flatMap(({ concurrency, ceiling, endpoint, unlimited }) => [
      row("ceiling (raw SQL over pg)", concurrency, ceiling),
      row("ours (/api/postback over HTTP)", concurrency, endpoint),
      row("ours, abuse limits off (RATE_LIMITS=off)", concurrency, unlimited),
    ]),
    "",
    ...results.map(
      ({ concurrency, ceiling, endpoint, unlimited }) =>
        `- ${concurrency} clients: ratio ours/ceiling **${(rps(endpoint) / rps(ceiling)).toFixed(2)}** (goal ≥ 0.5); our p95 **${ms(quantile(endpoint.latencies, 0.95))} ms** (goal ≤ 50 ms); ` +
        `limits on/off **${(rps(endpoint) / rps(unlimited)).toFixed(2)}** (goal ≥ 0.95).`,
    ),
    `- Reconciliation (both servers, warm-ups included): ${int(sent.accepted)} postbacks answered "created" = **${int(sent.conversions)}** conversions in the database; ` +
      `${int(sent.commissions)} commissions, ${int(sent.events)} outbox events (2 per conversion); txn_ids recorded twice: **${sent.doubled}**; retries answered with another id: **${mismatched}**.`,
    "",
  ].join("\n");
  writeSection("## Postbacks", report);
  console.log(report);
  const limiterCost = results.map(({ concurrency, endpoint, unlimited }) => ({ concurrency, ratio: rps(endpoint) / rps(unlimited) }));
  const met = limiterCost.every((c) => c.ratio >= 0.95);
  console.log(
    `bench:postback: abuse limits on/off ${limiterCost.map((c) => `${c.ratio.toFixed(2)}× at ${c.concurrency} clients`).join(", ")} (goal ≥ 0.95: ${met ? "met" : "NOT met"})`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
