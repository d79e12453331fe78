// npm run bench:payouts — a payout run at scale, written to bench/RESULTS.md ("## Payouts"):
// 15,000 affiliates and 1,000,000 approved commissions generated inside PostgreSQL (PayPal, Wise and bank lanes in
// EUR, USD and GBP; 2 % of affiliates earn below the minimum, 5 % have no tax form, 1 % are suspended), then the
// real domain functions time each step: create (reserve into lanes), approve (every lane), export (every lane's
// provider files and the whole run's CSV, streamed to a byte counter while the heap is sampled), paid (every lane
// marked sent, then settled with one failure per lane and the rest paid, as the page does it: the commissions are
// attached and marked PAID behind the settlement, timed separately). Then the invariants are checked in SQL.
// Goal: each step ≤ 5 s; the export's memory does not grow with the run (keyset pages + a streamed CSV).
import os from "node:os";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import v8 from "node:v8";
import vm from "node:vm";
import { benchDatabase, machine, stamp, writeSection } from "./lib/report";
import { ensureLocalSecrets } from "../server/local-secrets";

const AFFILIATES = Number(process.env.BENCH_AFFILIATES ?? 15_000);
const COMMISSIONS = Number(process.env.BENCH_COMMISSIONS ?? 1_000_000);
const GOAL_S = 5;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const mb = (bytes: number) => bytes / 2 ** 20;

ensureLocalSecrets();
const database = await benchDatabase("bench_payouts");
process.env.DATABASE_URL = database.url;
const { getPool, closeDb } = await import("../server/db");
const runs = await import("../server/payouts/runs");
const { batchFile, runFile } = await import("../server/payouts/export");
const { CLAIM } = await import("../server/payouts/claim");
const pool = getPool();

async function generate() {
  const t0 = performance.now();
  await pool.query(`
    INSERT INTO users (id, email, name, "passwordHash", role) VALUES ('bench-manager', 'manager@bench.test', 'Bench manager', 'x', 'MANAGER');
    INSERT INTO program_settings (id, name, "payoutMinimums", "updatedAt") VALUES (1, 'Bench', '{"EUR": 5000, "USD": 5000, "GBP": 5000}', now());
    INSERT INTO merchants (id, name, "postbackTokenHash", "postbackTokenPrefix", "defaultCurrency") VALUES ('m-bench', 'Bench merchant', 'bench-hash', 'bench', 'EUR');
    INSERT INTO offers (id, "merchantId", name, "payoutModel", "cpaAmountMinor", currency)
      VALUES ('o-EUR', 'm-bench', 'EUR offer', 'CPA', 2500, 'EUR'), ('o-USD', 'm-bench', 'USD offer', 'CPA', 2500, 'USD'), ('o-GBP', 'm-bench', 'GBP offer', 'CPA', 2500, 'GBP');`);
  // Affiliate i: method by i % 3, currency by i % 5 (EUR, EUR, USD, USD, GBP); i % 50 = 7 earns 1 minor unit per
  // sale (below the minimum), i % 20 = 3 has no tax form, i % 100 = 11 is suspended.
  await pool.query(
    `INSERT INTO affiliates (id, name, email, "payoutMethod", currency, "payoutDetails", "taxForm", "taxInfo", "payoutBlocker", active)
     SELECT 'a-' || i, 'Affiliate ' || i, 'aff' || i || '@bench.test', m.method::"PayoutMethod", c.currency,
       CASE m.method
         WHEN 'PAYPAL' THEN jsonb_build_object('method', 'PAYPAL', 'email', 'aff' || i || '@bench.test')
         WHEN 'WISE' THEN jsonb_build_object('method', 'WISE', 'scheme', 'EMAIL', 'holder', 'Affiliate ' || i, 'email', 'aff' || i || '@bench.test')
         ELSE jsonb_build_object('method', 'BANK_TRANSFER', 'scheme', 'IBAN', 'holder', 'Affiliate ' || i, 'iban', 'DE89370400440532013000', 'bic', 'COBADEFFXXX') END,
       CASE WHEN i % 20 = 3 THEN NULL ELSE 'W8BEN'::"TaxForm" END,
       CASE WHEN i % 20 = 3 THEN '{}'::jsonb ELSE jsonb_build_object('form', 'W8BEN', 'legalName', 'Affiliate ' || i, 'country', 'DE', 'taxId', 'DE' || (100000000 + i), 'signedAt', '2026-01-15') END,
       CASE WHEN i % 20 = 3 THEN 'tax information (W-9 or W-8BEN) missing or incomplete' END,
       i % 100 <> 11
     FROM generate_series(0, $1 - 1) AS i
     CROSS JOIN LATERAL (SELECT (ARRAY['PAYPAL', 'WISE', 'BANK_TRANSFER'])[i % 3 + 1] AS method) m
     CROSS JOIN LATERAL (SELECT (ARRAY['EUR', 'EUR', 'USD', 'USD', 'GBP'])[i % 5 + 1] AS currency) c`,
    [AFFILIATES],
  );
  await pool.query(
    `INSERT INTO links (id, slug, "affiliateId", "offerId", "destinationUrl", "updatedAt")
     SELECT i + 1, 'bench-' || i, 'a-' || i, 'o-' || (ARRAY['EUR', 'EUR', 'USD', 'USD', 'GBP'])[i % 5 + 1], 'https://example.com/', now()
     FROM generate_series(0, $1 - 1) AS i`,
    [AFFILIATES],
  );
  await pool.query(`SELECT setval(pg_get_serial_sequence('links', 'id'), $1)`, [AFFILIATES]);
  await pool.query(
    `INSERT INTO conversions (id, "merchantId", "offerId", "affiliateId", "linkId", "clickId", "clickedAt", "txnId", "amountMinor", currency, status, "createdAt", "updatedAt")
     SELECT 'v-' || g, 'm-bench', 'o-' || cur, 'a-' || a, a + 1, 'c-' || g, now() - interval '40 days', 't-' || g, 10000, cur, 'APPROVED', now() - interval '40 days', now() - interval '40 days'
     FROM generate_series(0, $2 - 1) AS g
     CROSS JOIN LATERAL (SELECT g % $1 AS a) x
     CROSS JOIN LATERAL (SELECT (ARRAY['EUR', 'EUR', 'USD', 'USD', 'GBP'])[(g % $1) % 5 + 1] AS cur) y`,
    [AFFILIATES, COMMISSIONS],
  );
  await pool.query(
    `INSERT INTO commissions (id, "conversionId", "affiliateId", "offerId", "amountMinor", currency, status, "holdUntil", "approvedAt", "createdAt", "updatedAt")
     SELECT 'k-' || g, 'v-' || g, 'a-' || a, 'o-' || cur, CASE WHEN a % 50 = 7 THEN 1 ELSE 100 + ((g::bigint * 7919) % 4900)::int END, cur, 'APPROVED',
            now() - interval '10 days', now() - interval '10 days', now() - interval '40 days', now() - interval '10 days'
     FROM generate_series(0, $2 - 1) AS g
     CROSS JOIN LATERAL (SELECT g % $1 AS a) x
     CROSS JOIN LATERAL (SELECT (ARRAY['EUR', 'EUR', 'USD', 'USD', 'GBP'])[(g % $1) % 5 + 1] AS cur) y`,
    [AFFILIATES, COMMISSIONS],
  );
  await pool.query(`VACUUM ANALYZE commissions`);
  await pool.query(`ANALYZE affiliates; ANALYZE conversions; ANALYZE fraud_flags`);
  return (performance.now() - t0) / 1000;
}

const time = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const result = await work();
  return [result, (performance.now() - t0) / 1000];
};

async function batches(runId: string) {
  return (await pool.query<{ id: string; method: string; currency: string; payoutCount: number }>(`SELECT id, method, currency, "payoutCount" FROM payout_batches WHERE "runId" = $1 ORDER BY method, currency`, [runId])).rows;
}

/** Streams every file to a byte counter while sampling the heap; returns bytes, files and the peak heap growth. */
async function exportAll(runId: string) {
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
  let bytes = 0;
  let rows = 0;
  let files = 0;
  const sink = () =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) rows += 1;
        done();
      },
    });
  for (const b of await batches(runId)) {
    const perFile = b.method === "PAYPAL" ? 5_000 : b.method === "WISE" ? 1_000 : Number.MAX_SAFE_INTEGER;
    const parts = Math.max(1, Math.ceil(b.payoutCount / perFile));
    for (let part = 1; part <= parts; part++) {
      const file = await batchFile(pool, b.id, part);
      await pipeline(file.body, sink());
      files += 1;
    }
    await runs.markBatchExported(pool, b.id, "bench-manager");
  }
  await pipeline((await runFile(pool, runId)).body, sink());
  files += 1;
  clearInterval(sampler);
  return { bytes, rows, files, peakHeapMb: mb(peak - base) };
}

async function invariants(runId: string) {
  const { rows } = await pool.query<Record<string, string>>(
    `SELECT
       (SELECT count(*) FROM payouts p WHERE p."runId" = $1 AND p.status IN ('PAID', 'SENT', 'PENDING')
          AND p."amountMinor" <> (SELECT COALESCE(sum(c."amountMinor"), 0) FROM commissions c WHERE ${CLAIM("c", "p")})) AS mismatched_payouts,
       (SELECT count(*) FROM commissions c JOIN affiliates a ON a.id = c."affiliateId"
          WHERE c.status = 'APPROVED' AND c."payoutId" IS NULL
            AND NOT EXISTS (SELECT 1 FROM payout_carryovers k WHERE k."runId" = $1 AND k."affiliateId" = c."affiliateId" AND k.currency = c.currency)
            AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p."runId" = $1 AND p."affiliateId" = c."affiliateId" AND p.currency = c.currency AND p.status = 'FAILED')) AS unaccounted,
       (SELECT count(*) FROM commissions WHERE status = 'PAID') AS paid_commissions,
       (SELECT count(*) FROM payouts WHERE "runId" = $1 AND status = 'PAID') AS paid_payouts,
       (SELECT count(*) FROM payouts WHERE "runId" = $1 AND status = 'FAILED') AS failed_payouts,
       (SELECT count(*) FROM payout_carryovers WHERE "runId" = $1) AS carryovers,
       (SELECT string_agg(reason || ': ' || n, '; ') FROM (SELECT regexp_replace(reason, ' of .*', '') AS reason, count(*) AS n FROM payout_carryovers WHERE "runId" = $1 GROUP BY 1 ORDER BY 1) r) AS reasons,
       (SELECT count(*) FROM outbox_events WHERE type LIKE 'payout.%') AS events,
       (SELECT string_agg(currency || ' ' || t, ', ') FROM (SELECT currency, sum("amountMinor")::text AS t FROM payouts WHERE "runId" = $1 AND status = 'PAID' GROUP BY 1 ORDER BY 1) s) AS paid_totals,
       (SELECT string_agg(currency || ' ' || t, ', ') FROM (SELECT currency, sum("amountMinor")::text AS t FROM commissions WHERE status = 'PAID' GROUP BY 1 ORDER BY 1) s) AS commission_totals`,
    [runId],
  );
  return rows[0]!;
}

try {
  console.log(`[bench] generating ${AFFILIATES.toLocaleString("en")} affiliates and ${COMMISSIONS.toLocaleString("en")} approved commissions in PostgreSQL…`);
  const genS = await generate();
  console.log(`[bench] generated in ${genS.toFixed(1)} s`);
  if (process.env.BENCH_KEEP) {
    console.log(`[bench] BENCH_KEEP: data left in ${database.url}`);
    await closeDb();
    process.exit(0);
  }

  const loadBefore = os.loadavg()[0]!;
  const [run, createS] = await time(() => runs.createPayoutRun(pool, { actorId: "bench-manager" }));
  console.log(`[bench] create ${createS.toFixed(2)} s: ${run.payouts} payouts, ${run.carriedOver} carried over`);
  const lanes = await batches(run.runId);
  const [, approveS] = await time(async () => {
    for (const b of lanes) await runs.approveBatch(pool, b.id, "bench-manager");
  });
  console.log(`[bench] approve ${approveS.toFixed(2)} s (${lanes.length} lanes)`);
  const [exported, exportS] = await time(() => exportAll(run.runId));
  console.log(`[bench] export ${exportS.toFixed(2)} s: ${exported.files} files, ${mb(exported.bytes).toFixed(1)} MB, peak heap +${exported.peakHeapMb.toFixed(1)} MB`);
  const [, paidS] = await time(async () => {
    for (const b of lanes) {
      await runs.markBatchSent(pool, b.id, "bench-manager");
      const first = await pool.query<{ number: string }>(`SELECT number::text FROM payouts WHERE "batchId" = $1 ORDER BY number LIMIT 1`, [b.id]);
      // As the page does it: the settlement returns once payouts are paid; commissions are attached behind it.
      await runs.settlePayouts(pool, b.id, [{ payout: `PO${first.rows[0]!.number}`, outcome: "failed", reason: "bench: account closed" }], "bench-manager", { rest: "paid", background: true });
    }
  });
  console.log(`[bench] paid ${paidS.toFixed(2)} s`);
  const [, attachS] = await time(async () => {
    await runs.attachInBackground(pool);
    // Another attacher (none here, but the page's or a payout job's) may still hold its last chunk.
    while ((await pool.query(`SELECT 1 FROM payouts WHERE status = 'PAID' AND "commissionsSettledAt" IS NULL LIMIT 1`)).rowCount) await new Promise((r) => setTimeout(r, 50));
  });
  console.log(`[bench] commissions attached and PAID ${(paidS + attachS).toFixed(2)} s after the first settlement`);
  const check = await invariants(run.runId);
  console.log("[bench] invariants", check);

  const invariantsOk = check.mismatched_payouts === "0" && check.unaccounted === "0" && check.paid_totals === check.commission_totals;
  // Memory: the export holds at most a page of payouts and the stream's buffers, whatever the run's size.
  const memoryOk = exported.peakHeapMb < 64;
  const stepsOk = [createS, approveS, exportS, paidS].every((s) => s <= GOAL_S);
  const met = stepsOk && memoryOk && invariantsOk;
  const f = (s: number) => s.toFixed(2);
  const line = `payouts: ${AFFILIATES} affiliates / ${COMMISSIONS} commissions: create ${f(createS)} s, approve ${f(approveS)} s, export ${f(exportS)} s, paid ${f(paidS)} s — goal (each step ≤ ${GOAL_S} s, export memory independent of run size) ${met ? "met" : "NOT met"}; the paid payouts' commissions were all PAID ${f(paidS + attachS)} s after the first settlement`;
  const report = [
    "## Payouts",
    "",
    `Measured ${stamp()} on ${machine()}. 1-min load average ${loadBefore.toFixed(1)} before the steps, ${os.loadavg()[0]!.toFixed(1)} after, on ${os.cpus().length} cores: other work on the machine inflates every figure.`,
    `Data generated inside PostgreSQL in ${genS.toFixed(0)} s: ${AFFILIATES.toLocaleString("en")} affiliates (PayPal / Wise / bank, EUR / USD / GBP, minimum 50.00 in each; 2 % earn below it, 5 % have no tax form, 1 % are suspended) and ${COMMISSIONS.toLocaleString("en")} approved commissions; the steps call the same functions as the manager's page.`,
    "",
    "| step | seconds | what it did |",
    "| --- | ---: | --- |",
    `| create | ${f(createS)} | ${run.payouts.toLocaleString("en")} payouts in ${lanes.length} lanes, ${run.carriedOver.toLocaleString("en")} carried over (${check.reasons}) |`,
    `| approve | ${f(approveS)} | every lane approved: amounts recomputed from the claims and frozen |`,
    `| export | ${f(exportS)} | ${exported.files} files (PayPal parts of ≤ 5,000 rows, Wise parts of ≤ 1,000, bank, the whole run), ${exported.rows.toLocaleString("en")} lines, ${mb(exported.bytes).toFixed(1)} MB streamed; peak heap +${exported.peakHeapMb.toFixed(1)} MB |`,
    `| paid | ${f(paidS)} | every lane marked sent, then settled: one failed payout per lane, the rest paid, ${check.events} payout webhooks in the outbox |`,
    `| (behind it) | ${f(attachS)} | the paid payouts' ${Number(check.paid_commissions).toLocaleString("en")} commissions attached and marked PAID, 400 payouts per transaction — all done ${f(paidS + attachS)} s after the first settlement |`,
    "",
    `Invariants after the run: payouts whose amount ≠ the sum of their commissions: ${check.mismatched_payouts}; approved commissions neither paid, failed-and-returned nor carried over with a reason: ${check.unaccounted}; paid per currency (payouts) ${check.paid_totals} = (commissions) ${check.commission_totals}.`,
    "",
    "`" + line + "`",
  ].join("\n");
  writeSection("## Payouts", report);
  console.log(line);
} finally {
  await closeDb();
  await database.drop();
}
