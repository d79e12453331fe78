// Payout runs: DRAFT (commissions reserved) → APPROVED (a manager checked it) → PAID (money sent; commissions PAID).
// A commission reversed while its run is open is dropped from the run, and amounts are recomputed from the
// commissions still APPROVED, under row locks, at approval and again at payment — so a run never pays a refunded
// sale, and the refund path's own row locks serialise with ours.
import type { Db } from "../db";
import { Prisma } from "../db/generated/client";
import { type PayableCommission, planPayouts, totalsByCurrency } from "./plan";

type Tx = Prisma.TransactionClient;

export class PayoutRunError extends Error {
  constructor(
    readonly code: "not_found" | "wrong_status" | "nothing_to_pay",
    message: string,
  ) {
    super(message);
  }
}

export interface RunSummary {
  runId: string;
  payouts: number;
  totals: { currency: string; amountMinor: number }[];
}

export interface NewRun {
  actorId: string;
  /** Commissions approved up to this instant are included (default: now). */
  periodEnd?: Date;
  /** Pay only these affiliates (default: everyone with something payable). */
  affiliateIds?: string[];
}

/** Reserves every approved, unpaid commission up to `periodEnd` into a new DRAFT run. */
export async function createPayoutRun(db: Db, { actorId, periodEnd = new Date(), affiliateIds }: NewRun) {
  return db.$transaction(async (tx) => {
    // SKIP LOCKED: a commission another run is reserving right now simply is not ours.
    const rows = await tx.$queryRaw<PayableCommission[]>`
      SELECT id, "affiliateId", currency, "amountMinor" FROM commissions
      WHERE status = 'APPROVED' AND "payoutId" IS NULL AND COALESCE("approvedAt", "createdAt") <= ${periodEnd}
        AND (${affiliateIds ?? null}::text[] IS NULL OR "affiliateId" = ANY(${affiliateIds ?? null}::text[]))
      ORDER BY id FOR UPDATE SKIP LOCKED`;
    const plan = planPayouts(rows);
    if (plan.payouts.length === 0) throw new PayoutRunError("nothing_to_pay", "No approved commissions are waiting to be paid.");
    const run = await tx.payoutRun.create({ data: { periodEnd, createdById: actorId } });
    const methods = await payoutMethods(tx, plan.payouts.map((p) => p.affiliateId));
    for (const p of plan.payouts) {
      const payout = await tx.payout.create({
        data: { runId: run.id, affiliateId: p.affiliateId, currency: p.currency, amountMinor: p.amountMinor, method: methods.get(p.affiliateId)! },
      });
      await tx.commission.updateMany({ where: { id: { in: p.commissionIds } }, data: { payoutId: payout.id } });
    }
    await audit(tx, actorId, "payout_run.created", run.id, { payouts: plan.payouts.length, carriedOver: plan.carriedOver.length });
    return summary(run.id, plan.payouts);
  });
}

export async function approvePayoutRun(db: Db, runId: string, actorId: string): Promise<RunSummary> {
  return db.$transaction(async (tx) => {
    await lockRun(tx, runId, ["DRAFT"]);
    const payouts = await settle(tx, runId);
    await tx.payoutRun.update({ where: { id: runId }, data: { status: "APPROVED", approvedById: actorId, approvedAt: new Date() } });
    await audit(tx, actorId, "payout_run.approved", runId, { payouts: payouts.length });
    return summary(runId, payouts);
  });
}

export async function markPayoutRunPaid(db: Db, runId: string, actorId: string): Promise<RunSummary> {
  return db.$transaction(async (tx) => {
    await lockRun(tx, runId, ["APPROVED"]);
    const payouts = await settle(tx, runId);
    const paidAt = new Date();
    await tx.commission.updateMany({ where: { payout: { runId }, status: "APPROVED" }, data: { status: "PAID", paidAt } });
    await tx.payoutRun.update({ where: { id: runId }, data: { status: "PAID", paidAt } });
    await audit(tx, actorId, "payout_run.paid", runId, { payouts: payouts.length });
    return summary(runId, payouts);
  });
}

/** Releases the run's commissions for a later run. */
export async function cancelPayoutRun(db: Db, runId: string, actorId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    await lockRun(tx, runId, ["DRAFT", "APPROVED"]);
    await tx.commission.updateMany({ where: { payout: { runId } }, data: { payoutId: null } });
    await tx.payout.deleteMany({ where: { runId } });
    await tx.payoutRun.update({ where: { id: runId }, data: { status: "CANCELLED" } });
    await audit(tx, actorId, "payout_run.cancelled", runId, {});
  });
}

async function lockRun(tx: Tx, runId: string, allowed: string[]) {
  const [run] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM payout_runs WHERE id = ${runId} FOR UPDATE`;
  if (!run) throw new PayoutRunError("not_found", "This payout run does not exist.");
  if (!allowed.includes(run.status)) {
    throw new PayoutRunError("wrong_status", `This payout run is ${run.status.toLowerCase()}; it must be ${allowed.join(" or ").toLowerCase()}.`);
  }
}

/** Drops commissions that are no longer APPROVED and recomputes each payout; returns the payouts that remain. */
async function settle(tx: Tx, runId: string) {
  const rows = await tx.$queryRaw<(PayableCommission & { status: string })[]>`
    SELECT c.id, c."affiliateId", c.currency, c."amountMinor", c.status FROM commissions c
    JOIN payouts p ON p.id = c."payoutId" WHERE p."runId" = ${runId} ORDER BY c.id FOR UPDATE OF c`;
  const gone = rows.filter((r) => r.status !== "APPROVED").map((r) => r.id);
  if (gone.length) await tx.commission.updateMany({ where: { id: { in: gone } }, data: { payoutId: null } });
  const plan = planPayouts(rows.filter((r) => r.status === "APPROVED"));
  const kept = new Set(plan.payouts.map((p) => `${p.affiliateId} ${p.currency}`));
  for (const p of plan.payouts) {
    await tx.payout.update({
      where: { runId_affiliateId_currency: { runId, affiliateId: p.affiliateId, currency: p.currency } },
      data: { amountMinor: p.amountMinor },
    });
  }
  const existing = await tx.payout.findMany({ where: { runId }, select: { id: true, affiliateId: true, currency: true } });
  const dropped = existing.filter((p) => !kept.has(`${p.affiliateId} ${p.currency}`)).map((p) => p.id);
  if (dropped.length) {
    await tx.commission.updateMany({ where: { payoutId: { in: dropped } }, data: { payoutId: null } });
    await tx.payout.deleteMany({ where: { id: { in: dropped } } });
  }
  return plan.payouts;
}

async function payoutMethods(tx: Tx, affiliateIds: string[]) {
  const rows = await tx.affiliate.findMany({ where: { id: { in: affiliateIds } }, select: { id: true, payoutMethod: true } });
  return new Map(rows.map((r) => [r.id, r.payoutMethod]));
}

function audit(tx: Tx, actorId: string, action: string, runId: string, data: Prisma.InputJsonObject) {
  return tx.auditLog.create({ data: { actorId, action, entityType: "payout_run", entityId: runId, data } });
}

function summary(runId: string, payouts: { currency: string; amountMinor: number }[]): RunSummary {
  return { runId, payouts: payouts.length, totals: totalsByCurrency(payouts) };
}
