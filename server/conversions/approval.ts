// Approval: a PENDING commission becomes APPROVED (payable) when its holding period ends — by a periodic job in
// the server process — or earlier, when a program manager approves it. Its conversion moves to APPROVED with it.
// HELD commissions, and pending ones with open fraud flags, are not touched here: fraud review decides them.
// Lock order (see transitions.ts): commissions first, then their conversions — as refunds do.
import { type Db, Prisma } from "../db";
import { withoutOpenFraudFlags } from "../fraud/flags";
import { onShutdown } from "../lifecycle";
import { type Queryable, statement } from "./store";
import { errorLine } from "../log";

// SKIP LOCKED: several server instances may run the job at once; each row is approved once, and a row a refund
// holds locked is simply left for the next round (it will be REVERSED, not approved).
export const APPROVE_DUE_SQL = `
WITH due AS (
  SELECT id FROM commissions
  WHERE status = 'PENDING' AND "holdUntil" <= $1 AND ($3::text IS NULL OR "offerId" = $3) AND ${withoutOpenFraudFlags}
  ORDER BY "holdUntil" LIMIT $2
  FOR UPDATE SKIP LOCKED
), approved AS (
  UPDATE commissions c SET status = 'APPROVED', "approvedAt" = $1, "updatedAt" = $1
  FROM due WHERE c.id = due.id
  RETURNING c."conversionId"
), conversions_approved AS (
  UPDATE conversions v SET status = 'APPROVED', "updatedAt" = $1
  WHERE v.id IN (SELECT "conversionId" FROM approved) AND v.status = 'PENDING'
)
SELECT count(*)::int AS n FROM approved`;

/** Approves every commission (of one offer, when given) whose holding period has ended; returns how many. */
export async function approveDueCommissions(db: Queryable, { now = new Date(), batchSize = 1_000, offerId = null as string | null } = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.query<{ n: number }>(statement(APPROVE_DUE_SQL, [now, batchSize, offerId]));
    const n = result.rows[0]?.n ?? 0;
    total += n;
    if (n < batchSize) return total;
  }
}

export interface ApprovalJob {
  /** Runs one round now (also what the timer does). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export interface ApprovalJobOptions {
  pool: Queryable;
  intervalMs?: number;
  registerShutdown?: boolean;
  /** The job's clock (tests run it in the past, so it only sees their own rows). */
  now?: () => Date;
}

/** Starts the periodic approval; stopped by the server's shutdown hooks. A failed round is logged and retried. */
export function startApprovalJob({ pool, intervalMs = 60_000, registerShutdown = true, now = () => new Date() }: ApprovalJobOptions): ApprovalJob {
  let running: Promise<number> | null = null;
  const runOnce = () =>
    (running ??= approveDueCommissions(pool, { now: now() })
      .catch((error) => {
        errorLine(`[approvals] round failed (retried next round): ${(error as Error).message}`);
        return 0;
      })
      .finally(() => {
        running = null;
      }));
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  const job: ApprovalJob = {
    runOnce,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
  if (registerShutdown) onShutdown("commission approvals", job.stop, 50);
  return job;
}

export interface ApproveOutcome {
  approved: string[];
  /** Ids that were not approved, with their current status ("UNDER_REVIEW": pending with open fraud flags). */
  skipped: { id: string; status: string | null }[];
}

/** A manager approves commissions before their holding period ends; each approval goes to the audit log. */
export async function approveCommissions(db: Db, ids: readonly string[], actorId: string): Promise<ApproveOutcome> {
  const unique = [...new Set(ids)];
  return db.$transaction(async (tx) => {
    // Lock the rows (by id, then their conversions: the program's lock order) so a concurrent refund or payout run
    // cannot interleave between the check and the update.
    // A pending commission with open fraud flags is the fraud review's to decide (server/fraud/flags.ts).
    const rows = await tx.$queryRaw<{ id: string; status: string; conversionId: string }[]>`
      SELECT id, CASE WHEN status = 'PENDING' AND NOT (${Prisma.raw(withoutOpenFraudFlags)}) THEN 'UNDER_REVIEW' ELSE status::text END AS status,
             "conversionId"
      FROM commissions WHERE id = ANY(${unique}) ORDER BY id FOR UPDATE`;
    const pending = rows.filter((r) => r.status === "PENDING");
    const now = new Date();
    if (pending.length) {
      await tx.commission.updateMany({ where: { id: { in: pending.map((r) => r.id) } }, data: { status: "APPROVED", approvedAt: now, approvedById: actorId } });
      await tx.conversion.updateMany({ where: { id: { in: pending.map((r) => r.conversionId) }, status: "PENDING" }, data: { status: "APPROVED" } });
      await tx.auditLog.createMany({
        data: pending.map((r) => ({ actorId, action: "commission.approve", entityType: "commission", entityId: r.id, data: { from: "PENDING", to: "APPROVED", at: now.toISOString() } })),
      });
    }
    const found = new Map(rows.map((r) => [r.id, r.status]));
    return {
      approved: pending.map((r) => r.id),
      skipped: unique.filter((id) => found.get(id) !== "PENDING").map((id) => ({ id, status: found.get(id) ?? null })),
    };
  });
}
