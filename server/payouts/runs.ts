// Payout runs, set-based: every step is a handful of SQL statements whatever the number of affiliates (no query
// per payout, no Prisma interactive transaction), and no step but the last rewrites commission rows.
//
//   run      one per "create": a payout per payable (affiliate, currency) for their approved commissions up to the
//            run's periodEnd; whatever it does not pay is a carry-over row with its reason.
//   batch    one lane per (method, currency): DRAFT → APPROVED → EXPORTED → SENT → SETTLED, each on its own.
//   payout   PENDING → SENT → PAID | FAILED (its commissions are simply free again for the next run).
//
// A payout *claims* its commissions instead of writing them: every APPROVED, unattached (payoutId null) commission
// of its affiliate in its currency, approved up to its cutoff, without an open fraud flag (./claim.ts). A run
// skips an (affiliate, currency) that has a payout in flight, so claims never overlap. Once a payout is paid, its
// claimed commissions are attached (payoutId) and marked PAID in chunks of payouts (`attachPaidCommissions`), the
// only step that writes one row per commission; a failed or cancelled payout just stops claiming.
//
// Amounts freeze when a batch is approved (recomputed from the claim in the approving transaction). Lock order with
// the refund path (server/conversions/transitions.ts): a refund locks its commission, then reads the claiming
// payout's batch FOR SHARE; nothing here locks a commission row while holding a batch lock. So a refund either
// sees the batch still DRAFT (it reverses the commission, and the approval's recompute leaves it out) or frozen (it
// writes a claw-back for the next run, as after a payment): money is never paid for a refunded sale, and no step
// here can deadlock with a refund.
import type pg from "pg";
import { getPool } from "../db";
import { checkOut } from "../db/checked-out";
import { inTransaction } from "../db/sql";
import { WAKE_RELAYS_SQL } from "../webhooks/wake";
import { CLAIMED, IN_FLIGHT, OPEN_FLAG } from "./claim";
import { PayoutError } from "./errors";
import { errorLine } from "../log";

export { PayoutError, PayoutError as PayoutRunError } from "./errors";

type Pool = Pick<pg.Pool, "connect" | "query">;

async function withTx<T>(pool: Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const { client, release } = await checkOut(pool); // a backend dying mid-transaction fails the work, not the process
  try {
    return await inTransaction(client, () => work(client));
  } finally {
    release();
  }
}

export interface RunSummary {
  runId: string;
  payouts: number;
  carriedOver: number;
  totals: { currency: string; amountMinor: bigint }[];
}

export interface NewRun {
  actorId: string;
  /** Commissions approved up to this instant are included (default: now). */
  periodEnd?: Date;
  /** Pay only these affiliates (default: everyone with something payable). */
  affiliateIds?: string[];
}

/**
 * Per (affiliate, currency): what is waiting (approved, unattached, no open fraud flag — REVIEW and HOLD wait for a
 * manager — and not claimed by a payout in flight), and why it cannot be paid (null: it can). Used by the run and
 * by the manager's preview, so both say the same thing. $1 periodEnd, $2 affiliate ids or null.
 */
export const GROUPS_SQL = `
WITH policy AS (SELECT COALESCE((SELECT "payoutMinimums" FROM program_settings WHERE id = 1), '{}'::jsonb) AS mins),
flight AS (SELECT "affiliateId", currency, max(cutoff) AS cutoff FROM payouts q WHERE ${IN_FLIGHT("q")} GROUP BY 1, 2),
sums AS (
  SELECT c."affiliateId", c.currency, sum(c."amountMinor")::bigint AS amount, count(*)::int AS n, bool_or(fl.cutoff IS NOT NULL) AS in_flight
  FROM commissions c LEFT JOIN flight fl ON fl."affiliateId" = c."affiliateId" AND fl.currency = c.currency
  WHERE c.status = 'APPROVED' AND c."payoutId" IS NULL AND COALESCE(c."approvedAt", c."createdAt") <= $1
    AND ($2::text[] IS NULL OR c."affiliateId" = ANY ($2))
    AND COALESCE(c."approvedAt", c."createdAt") > COALESCE(fl.cutoff, '-infinity')
    AND NOT ${OPEN_FLAG("c")}
  GROUP BY 1, 2
)
SELECT s."affiliateId", s.currency, s.amount, s.n, a.name, a.email, a."payoutMethod" AS method,
  CASE
    WHEN NOT a.active THEN 'affiliate suspended'
    WHEN a."payoutBlocker" IS NOT NULL THEN 'not payable: ' || a."payoutBlocker"
    WHEN s.in_flight THEN 'a payout of an earlier run is still in flight'
    WHEN s.amount <= 0 THEN 'net is not positive (claw-backs of refunded sales exceed new earnings)'
    WHEN s.amount < COALESCE((p.mins ->> s.currency)::bigint, 0) THEN 'below the minimum payout of ' || (p.mins ->> s.currency) || ' ' || s.currency || ' minor units'
  END AS reason,
  COALESCE((p.mins ->> s.currency)::bigint, 0) AS minimum
FROM sums s JOIN affiliates a ON a.id = s."affiliateId" CROSS JOIN policy p`;

/** Reserves every payable affiliate's approved commissions into a new run, one DRAFT batch per method and currency. */
export async function createPayoutRun(pool: Pool, { actorId, periodEnd = new Date(), affiliateIds }: NewRun, onStep?: (step: string) => void): Promise<RunSummary> {
  return withTx(pool, async (client) => {
    // One run is created at a time (a second waits, then finds what the first left).
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('payout_run_create'))`);
    await client.query(`SET LOCAL work_mem = '64MB'`);
    const ids = affiliateIds ?? null;
    const [run] = (await client.query<{ id: string }>(`INSERT INTO payout_runs ("periodEnd", "createdById") VALUES ($1, $2) RETURNING id`, [periodEnd, actorId])).rows;
    const runId = run!.id;
    onStep?.("grouping");
    await client.query(`CREATE TEMP TABLE run_groups ON COMMIT DROP AS ${GROUPS_SQL}`, [periodEnd, ids]);
    await client.query(
      `INSERT INTO payout_carryovers ("runId", "affiliateId", currency, "amountMinor", "commissionCount", reason)
       SELECT $1, "affiliateId", currency, amount, n, reason FROM run_groups WHERE reason IS NOT NULL`,
      [runId],
    );
    const batches = await client.query(
      `INSERT INTO payout_batches ("runId", method, currency)
       SELECT DISTINCT $1, method, currency FROM run_groups WHERE reason IS NULL RETURNING id`,
      [runId],
    );
    if (batches.rowCount === 0) throw new PayoutError("nothing_to_pay", await nothingToPayMessage(client));
    // The affiliate's details as they are now: later changes apply to the next run. The amounts are what was
    // waiting at the grouping; approval recomputes them from the claim (a sale refunded meanwhile drops out).
    await client.query(
      `INSERT INTO payouts ("runId", "batchId", "affiliateId", "amountMinor", "commissionCount", currency, method, cutoff, "recipientName", recipient, "recipientDetails")
       SELECT $1, b.id, g."affiliateId", g.amount, g.n, g.currency, g.method, $2,
              COALESCE(a."payoutDetails" ->> 'holder', a."taxInfo" ->> 'legalName', a.name),
              COALESCE(a."payoutDetails" ->> 'email', a."payoutDetails" ->> 'iban', a."payoutDetails" ->> 'accountNumber', a."payoutDetails" ->> 'recipientId', ''),
              a."payoutDetails" || jsonb_build_object('targetCurrency', a.currency)
       FROM run_groups g JOIN affiliates a ON a.id = g."affiliateId"
       JOIN payout_batches b ON b."runId" = $1 AND b.method = g.method AND b.currency = g.currency
       WHERE g.reason IS NULL`,
      [runId, periodEnd],
    );
    await refreshBatches(client, `"runId" = $1`, [runId]);
    const summary = await runSummary(client, runId);
    await audit(client, actorId, "payout_run.created", "payout_run", runId, { payouts: summary.payouts, carriedOver: summary.carriedOver });
    return summary;
  });
}

async function nothingToPayMessage(client: pg.PoolClient) {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM run_groups`).catch(() => ({ rows: [{ n: 0 }] }));
  return rows[0]!.n > 0
    ? "Nothing is payable: every affiliate with approved commissions is carried over (see the reasons under “Not payable”)."
    : "No approved commissions are waiting to be paid.";
}

/**
 * Recomputes the pending payouts of batch $1 from what they claim now (a commission reversed since the run was
 * created drops out); a payout left with nothing positive to pay is cancelled. Reads commissions, locks none.
 */
async function recomputeFromClaims(client: Pick<pg.ClientBase, "query">, batchId: string) {
  await client.query(
    // Per payout, an index scan of its affiliate's approved commissions (LATERAL: never a scan of the whole table
    // per lane), plus those attached at creation by runs from before claims.
    `WITH s AS (
       SELECT p.id, (claimed.amount + attached.amount)::bigint AS amount, (claimed.n + attached.n)::int AS n
       FROM payouts p
       CROSS JOIN LATERAL (SELECT COALESCE(sum(c."amountMinor"), 0) AS amount, count(*) AS n FROM commissions c WHERE ${CLAIMED("c", "p")}) claimed
       CROSS JOIN LATERAL (SELECT COALESCE(sum(c."amountMinor"), 0) AS amount, count(*) AS n FROM commissions c WHERE c."payoutId" = p.id AND c.status = 'APPROVED') attached
       WHERE p."batchId" = $1 AND p.status = 'PENDING'
     )
     UPDATE payouts p SET "amountMinor" = s.amount, "commissionCount" = s.n,
       status = CASE WHEN s.amount <= 0 THEN 'CANCELLED'::"PayoutStatus" ELSE p.status END,
       "failureReason" = CASE WHEN s.amount <= 0 THEN 'nothing left to pay after refunds' ELSE p."failureReason" END
     FROM s WHERE p.id = s.id AND (p."amountMinor" <> s.amount OR p."commissionCount" <> s.n)`,
    [batchId],
  );
  await refreshBatches(client, `id = $1`, [batchId]);
}

/** Counts and totals of batches (matching `where` over payout_batches), from their live payouts. */
async function refreshBatches(client: Pick<pg.ClientBase, "query">, where: string, values: unknown[]) {
  await client.query(
    `UPDATE payout_batches b SET "payoutCount" = COALESCE(s.n, 0), "totalMinor" = COALESCE(s.amount, 0)
     FROM (SELECT b2.id, (SELECT count(*)::int FROM payouts p WHERE p."batchId" = b2.id AND p.status <> 'CANCELLED') AS n,
                  (SELECT sum(p."amountMinor")::bigint FROM payouts p WHERE p."batchId" = b2.id AND p.status NOT IN ('CANCELLED', 'FAILED')) AS amount
           FROM payout_batches b2 WHERE ${where}) s
     WHERE b.id = s.id`,
    values,
  );
}

async function runSummary(client: pg.PoolClient, runId: string): Promise<RunSummary> {
  const { rows } = await client.query<{ currency: string; amount: string; n: number }>(
    `SELECT currency, sum("amountMinor")::text AS amount, count(*)::int AS n FROM payouts WHERE "runId" = $1 AND status <> 'CANCELLED' GROUP BY currency ORDER BY currency`,
    [runId],
  );
  const carried = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM payout_carryovers WHERE "runId" = $1`, [runId]);
  return {
    runId,
    payouts: rows.reduce((n, r) => n + r.n, 0),
    carriedOver: carried.rows[0]!.n,
    totals: rows.map((r) => ({ currency: r.currency, amountMinor: BigInt(r.amount) })),
  };
}

type BatchStatus = "DRAFT" | "APPROVED" | "EXPORTED" | "SENT" | "SETTLED" | "CANCELLED";

/** Moves one batch from one of `from` to `to` (its own short transaction); refuses with the batch's real status. */
async function moveBatch(client: Pick<pg.ClientBase, "query">, batchId: string, from: BatchStatus[], to: BatchStatus, set = "", values: unknown[] = []) {
  const { rows } = await client.query<{ runId: string }>(
    `UPDATE payout_batches SET status = $3::"PayoutBatchStatus"${set ? `, ${set}` : ""} WHERE id = $1 AND status = ANY ($2::"PayoutBatchStatus"[]) RETURNING "runId"`,
    [batchId, from, to, ...values],
  );
  if (rows[0]) return rows[0].runId;
  const current = await client.query<{ status: string }>(`SELECT status FROM payout_batches WHERE id = $1`, [batchId]);
  if (!current.rows[0]) throw new PayoutError("not_found", "This payout batch does not exist.");
  throw new PayoutError("wrong_status", `This batch is ${current.rows[0].status.toLowerCase()}; it must be ${from.map((s) => s.toLowerCase()).join(" or ")}.`);
}

/**
 * Approves one lane: its amounts freeze (recomputed from the claims in the same transaction; a refund from now on
 * becomes a claw-back in the next run).
 */
export async function approveBatch(pool: Pool, batchId: string, actorId: string) {
  const runId = await withTx(pool, async (client) => {
    const id = await moveBatch(client, batchId, ["DRAFT"], "APPROVED", `"approvedById" = $4, "approvedAt" = now()`, [actorId]);
    // A refund holding this batch FOR SHARE made the UPDATE above wait for it; this statement's snapshot sees it.
    await recomputeFromClaims(client, batchId);
    await audit(client, actorId, "payout_batch.approved", "payout_batch", batchId, {});
    return id;
  });
  await refreshRunStatus(pool, runId);
  return batchSummary(pool, batchId);
}

/** The provider file was downloaded: APPROVED → EXPORTED (downloading again later is allowed, nothing changes). */
export async function markBatchExported(pool: Pool, batchId: string, actorId: string) {
  await withTx(pool, async (client) => {
    await moveBatch(client, batchId, ["APPROVED"], "EXPORTED", `"exportedAt" = now()`);
    await audit(client, actorId, "payout_batch.exported", "payout_batch", batchId, {});
  });
  return batchSummary(pool, batchId);
}

/** The money left (file uploaded to the provider): every pending payout of the batch is SENT; payout.sent events. */
export async function markBatchSent(pool: Pool, batchId: string, actorId: string) {
  const runId = await withTx(pool, async (client) => {
    const id = await moveBatch(client, batchId, ["APPROVED", "EXPORTED"], "SENT", `"sentAt" = now()`);
    await client.query(
      `WITH sent AS (UPDATE payouts p SET status = 'SENT', "sentAt" = now() WHERE p."batchId" = $1 AND p.status = 'PENDING' RETURNING p.*),
       ${outboxCte("events", "payout.sent", "sent")}
       SELECT (SELECT count(*) FROM events) AS events, ${WAKE_RELAYS_SQL}`,
      [batchId],
    );
    await audit(client, actorId, "payout_batch.sent", "payout_batch", batchId, {});
    return id;
  });
  await refreshRunStatus(pool, runId);
  return batchSummary(pool, batchId);
}

export interface Settlement {
  /** Payout ids or references (PO123). */
  payout: string;
  outcome: "paid" | "failed";
  reason?: string;
}

/**
 * Settles sent payouts of one batch: paid or failed (with a reason; its commissions are free again for the next
 * run). Payouts not SENT are refused (nothing is written). `rest: "paid"` marks every other sent payout of the
 * batch paid too. The paid payouts' commissions are then attached and marked PAID, awaited unless `background`.
 */
export async function settlePayouts(pool: Pool, batchId: string, settlements: Settlement[], actorId: string, { rest, background = false }: { rest?: "paid"; background?: boolean } = {}) {
  const refs = settlements.map((s) => s.payout);
  const outcomes = settlements.map((s) => s.outcome);
  const reasons = settlements.map((s) => (s.outcome === "failed" ? (s.reason?.trim() || "failed at the provider") : null));
  const result = await withTx(pool, async (client) => {
    const batch = await client.query<{ runId: string; status: string }>(`SELECT "runId", status FROM payout_batches WHERE id = $1`, [batchId]);
    if (!batch.rows[0]) throw new PayoutError("not_found", "This payout batch does not exist.");
    const matched = await client.query<{ ref: string; id: string | null; status: string | null }>(
      `SELECT u.ref, COALESCE(a.id, b.id) AS id, COALESCE(a.status, b.status) AS status
       FROM unnest($2::text[]) WITH ORDINALITY AS u(ref, i)
       LEFT JOIN payouts a ON a.id = u.ref AND a."batchId" = $1
       LEFT JOIN payouts b ON b.number = (CASE WHEN upper(u.ref) ~ '^PO[0-9]{1,18}$' THEN substr(u.ref, 3)::bigint END) AND b."batchId" = $1
       ORDER BY u.i`,
      [batchId, refs],
    );
    const bad = matched.rows
      .map((r, i) => ({ r, i }))
      .filter(({ r }) => r.id === null || r.status !== "SENT")
      .map(({ r, i }) => ({ line: i + 1, message: r.id === null ? `${r.ref}: no such payout in this batch` : `${r.ref}: the payout is ${r.status!.toLowerCase()}, not sent` }));
    if (bad.length) throw new PayoutError("wrong_status", bad.length === 1 ? `Nothing was changed. ${bad[0]!.message}.` : `Nothing was changed: ${bad.length} payouts cannot be settled.`, bad);
    const ids = matched.rows.map((r) => r.id!);
    if (new Set(ids).size !== ids.length) throw new PayoutError("bad_file", "Nothing was changed: a payout is listed twice.");
    const { rows } = await client.query<{ paid: number; failed: number }>(
      `WITH s AS (
         SELECT u.id, u.outcome, u.reason FROM unnest($2::text[], $3::text[], $4::text[]) AS u(id, outcome, reason)
         UNION ALL
         SELECT p.id, 'paid', NULL FROM payouts p WHERE $5::boolean AND p."batchId" = $1 AND p.status = 'SENT' AND p.id <> ALL ($2::text[])
       ), paid AS (
         UPDATE payouts p SET status = 'PAID', "paidAt" = now() FROM s WHERE p.id = s.id AND s.outcome = 'paid' AND p.status = 'SENT' RETURNING p.*
       ), failed AS (
         UPDATE payouts p SET status = 'FAILED', "failedAt" = now(), "failureReason" = s.reason FROM s WHERE p.id = s.id AND s.outcome = 'failed' AND p.status = 'SENT' RETURNING p.*
       ), released AS (
         -- Payouts of runs from before claims had their commissions attached at creation: free them again.
         UPDATE commissions c SET "payoutId" = NULL, "updatedAt" = now() FROM failed WHERE c."payoutId" = failed.id RETURNING 1
       ), ${outboxCte("paid_events", "payout.paid", "paid")}, ${outboxCte("failed_events", "payout.failed", "failed")}
       SELECT (SELECT count(*)::int FROM paid) AS paid, (SELECT count(*)::int FROM failed) AS failed,
              (SELECT count(*) FROM released) AS released,
              (SELECT count(*) FROM paid_events) + (SELECT count(*) FROM failed_events) AS events, ${WAKE_RELAYS_SQL}`,
      [batchId, ids, outcomes, reasons, rest === "paid"],
    );
    await audit(client, actorId, "payout_batch.settled", "payout_batch", batchId, { paid: rows[0]!.paid, failed: rows[0]!.failed, failedPayouts: ids.filter((_, i) => outcomes[i] === "failed") });
    return { runId: batch.rows[0].runId, paid: rows[0]!.paid, failed: rows[0]!.failed };
  });
  // A batch with no payout left in flight is settled (its own statement: no batch lock next to commission rows).
  await pool.query(
    `UPDATE payout_batches b SET status = 'SETTLED', "settledAt" = now(),
       "totalMinor" = COALESCE((SELECT sum("amountMinor") FROM payouts p WHERE p."batchId" = b.id AND p.status = 'PAID'), 0)
     WHERE b.id = $1 AND b.status = 'SENT' AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p."batchId" = b.id AND p.status IN ('PENDING', 'SENT'))`,
    [batchId],
  );
  await refreshRunStatus(pool, result.runId);
  // A small settlement (≤ 400 payouts, one chunk) is finished before answering; a bigger one goes on behind the
  // answer when `background` (the page), so a manager is not kept waiting for a million commission rows.
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM payouts WHERE "batchId" = $1 AND status = 'PAID' AND "commissionsSettledAt" IS NULL`, [batchId]);
  if (background && rows[0]!.n > 400) attachInBackground(pool);
  else await attachPaidCommissions(pool, { batchId });
  return { paid: result.paid, failed: result.failed };
}

let attacher: Promise<void> | null = null;
let attachAgain = false;

/** One background attacher per process (settling several lanes in a row does not start several). */
export function attachInBackground(pool: Pool): Promise<void> {
  if (attacher) {
    attachAgain = true;
    return attacher;
  }
  attacher = (async () => {
    do {
      attachAgain = false;
      await attachPaidCommissions(pool).catch((error) => errorLine(`[payouts] attaching paid commissions failed (the payout job retries): ${(error as Error).message}`));
    } while (attachAgain);
    attacher = null;
  })();
  return attacher;
}

/**
 * Marks the commissions of paid payouts PAID and attaches them (payoutId), PAYOUTS_PER_CHUNK payouts per
 * transaction (each a few seconds at most; SKIP LOCKED, so several callers share the work). Returns how many
 * commissions it wrote, and whether paid payouts may be left (after `maxChunks`). Called after a settlement and by the periodic payout job (a crash midway is finished there).
 */
export async function attachPaidCommissions(pool: Pool, { batchId = null as string | null, payoutsPerChunk = 400, maxChunks = Infinity } = {}): Promise<{ commissions: number; more: boolean }> {
  let total = 0;
  for (let chunks = 0; ; chunks++) {
    if (chunks >= maxChunks) return { commissions: total, more: true };
    const { payouts, commissions } = await withTx(pool, async (client) => {
      const chunk = await client.query<{ id: string }>(
        `SELECT id FROM payouts WHERE status = 'PAID' AND "commissionsSettledAt" IS NULL AND ($1::text IS NULL OR "batchId" = $1)
         ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [batchId, payoutsPerChunk],
      );
      if (chunk.rowCount === 0) return { payouts: 0, commissions: 0 };
      const ids = chunk.rows.map((r) => r.id);
      // Claimed (per payout an index scan of its affiliate's approved commissions), then those attached at creation
      // by runs from before claims.
      const written = await client.query(
        `UPDATE commissions c SET status = 'PAID', "paidAt" = x."paidAt", "payoutId" = x.pid, "updatedAt" = now()
         FROM (SELECT p.id AS pid, p."paidAt", k.id AS cid FROM payouts p
               CROSS JOIN LATERAL (SELECT c.id FROM commissions c WHERE ${CLAIMED("c", "p")}) k
               WHERE p.id = ANY ($1::text[])) x
         WHERE c.id = x.cid`,
        [ids],
      );
      const legacy = await client.query(
        `UPDATE commissions c SET status = 'PAID', "paidAt" = p."paidAt", "updatedAt" = now()
         FROM payouts p WHERE c."payoutId" = ANY ($1::text[]) AND c.status = 'APPROVED' AND p.id = c."payoutId"`,
        [ids],
      );
      await client.query(`UPDATE payouts SET "commissionsSettledAt" = now() WHERE id = ANY ($1::text[])`, [ids]);
      return { payouts: ids.length, commissions: (written.rowCount ?? 0) + (legacy.rowCount ?? 0) };
    });
    total += commissions;
    if (payouts < payoutsPerChunk) return { commissions: total, more: false };
  }
}

/** Cancels a lane that has not been sent: its payouts are cancelled and their commissions go back to the pool. */
export async function cancelBatch(pool: Pool, batchId: string, actorId: string) {
  const runId = await withTx(pool, async (client) => {
    const id = await moveBatch(client, batchId, ["DRAFT", "APPROVED", "EXPORTED"], "CANCELLED");
    await audit(client, actorId, "payout_batch.cancelled", "payout_batch", batchId, {});
    return id;
  });
  // Cancelled payouts claim nothing: their commissions are free again (runs from before claims attached theirs).
  await withTx(pool, (client) =>
    client.query(
      `WITH c AS (UPDATE payouts SET status = 'CANCELLED' WHERE "batchId" = $1 AND status = 'PENDING' RETURNING id)
       UPDATE commissions k SET "payoutId" = NULL FROM c WHERE k."payoutId" = c.id`,
      [batchId],
    ),
  );
  await refreshRunStatus(pool, runId);
}

/** Cancels every lane of the run that has not been sent (sent lanes carry on). */
export async function cancelPayoutRun(pool: Pool, runId: string, actorId: string) {
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM payout_batches WHERE "runId" = $1 AND status IN ('DRAFT', 'APPROVED', 'EXPORTED')`, [runId]);
  const run = await pool.query(`SELECT 1 FROM payout_runs WHERE id = $1`, [runId]);
  if (run.rowCount === 0) throw new PayoutError("not_found", "This payout run does not exist.");
  if (rows.length === 0) throw new PayoutError("wrong_status", "Every batch of this run has been sent or cancelled already.");
  for (const b of rows) await cancelBatch(pool, b.id, actorId); // one per lane (a handful), each set-based
  await audit(pool, actorId, "payout_run.cancelled", "payout_run", runId, { batches: rows.length });
}

/** The run's status follows its batches. */
async function refreshRunStatus(pool: Pool, runId: string) {
  await pool.query(
    `UPDATE payout_runs r SET
       status = s.status::"PayoutRunStatus",
       "approvedAt" = CASE WHEN s.status IN ('APPROVED', 'PAID') THEN COALESCE(r."approvedAt", now()) END,
       "paidAt" = CASE WHEN s.status = 'PAID' THEN COALESCE(r."paidAt", now()) END
     FROM (
       SELECT CASE
         WHEN bool_and(status = 'CANCELLED') THEN 'CANCELLED'
         WHEN bool_and(status IN ('SETTLED', 'CANCELLED')) THEN 'PAID'
         WHEN bool_or(status = 'DRAFT') THEN 'DRAFT'
         ELSE 'APPROVED' END AS status
       FROM payout_batches WHERE "runId" = $1
     ) s WHERE r.id = $1 AND s.status IS NOT NULL`,
    [runId],
  );
}

async function batchSummary(pool: Pool, batchId: string) {
  const { rows } = await pool.query<{ id: string; status: string; payoutCount: number; totalMinor: string; currency: string; method: string }>(
    `SELECT id, status, "payoutCount", "totalMinor"::text, currency, method FROM payout_batches WHERE id = $1`,
    [batchId],
  );
  const b = rows[0]!;
  return { ...b, totalMinor: BigInt(b.totalMinor) };
}

/**
 * A CTE named `name` writing outbox rows for the payouts in CTE `from`: program events with merchantId null, so no
 * merchant endpoint receives them (a payout sums many merchants' commissions, and one merchant must not see what
 * another pays). The statement also selects WAKE_RELAYS_SQL, so relays wake at commit.
 */
function outboxCte(name: string, type: string, from: string) {
  return `${name} AS (INSERT INTO outbox_events (type, "merchantId", payload, "createdAt")
    SELECT '${type}', NULL, jsonb_build_object('payout', jsonb_build_object(
      'id', x.id, 'reference', 'PO' || x.number, 'run_id', x."runId", 'batch_id', x."batchId", 'affiliate_id', x."affiliateId",
      'amount_minor', x."amountMinor"::text, 'currency', x.currency, 'method', lower(x.method::text), 'status', lower(x.status::text),
      'failure_reason', x."failureReason")), now()
    FROM ${from} x RETURNING 1)`;
}

async function audit(client: Pick<pg.ClientBase, "query">, actorId: string, action: string, entityType: string, entityId: string, data: object) {
  await client.query(`INSERT INTO audit_logs ("actorId", action, "entityType", "entityId", data) VALUES ($1, $2, $3, $4, $5::jsonb)`, [actorId, action, entityType, entityId, JSON.stringify(data)]);
}

/** The app's pool, for callers outside tests. */
export const payoutPool = (): Pool => getPool();
