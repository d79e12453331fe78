// What the payout pages read: the preview of the next run (payable and not payable, with reasons), runs with their
// lanes and carry-overs, one lane's payouts (paged), and each affiliate's payouts and statements.
import { db } from "../db";
import { getPool } from "../db";
import { maskedDetails } from "./export";
import { CLAIM } from "./claim";
import { GROUPS_SQL } from "./runs";
import { PayoutError } from "./errors";

interface GroupRow {
  affiliateId: string;
  currency: string;
  amount: string;
  n: number;
  name: string;
  email: string;
  method: string;
  reason: string | null;
}

/** What a run created now would do: per currency what it pays, and every affiliate it would carry over, with why. */
export async function payablePreview() {
  const { rows } = await getPool().query<GroupRow>(`${GROUPS_SQL} ORDER BY s.amount DESC`, [new Date(), null]);
  const totals = new Map<string, { currency: string; amountMinor: bigint; commissions: number; affiliates: number }>();
  const notPayable: { affiliateId: string; name: string; email: string; currency: string; amountMinor: bigint; commissions: number; reason: string }[] = [];
  for (const r of rows) {
    if (r.reason === null) {
      const t = totals.get(r.currency) ?? { currency: r.currency, amountMinor: 0n, commissions: 0, affiliates: 0 };
      t.amountMinor += BigInt(r.amount);
      t.commissions += r.n;
      t.affiliates += 1;
      totals.set(r.currency, t);
    } else if (notPayable.length < 200) {
      notPayable.push({ affiliateId: r.affiliateId, name: r.name, email: r.email, currency: r.currency, amountMinor: BigInt(r.amount), commissions: r.n, reason: r.reason });
    }
  }
  const notPayableCount = rows.filter((r) => r.reason !== null).length;
  return { payable: [...totals.values()].sort((a, b) => a.currency.localeCompare(b.currency)), notPayable, notPayableCount };
}

export async function listRuns() {
  const runs = await db.payoutRun.findMany({
    orderBy: { createdAt: "desc" },
    take: 50,
    include: { batches: { orderBy: [{ method: "asc" }, { currency: "asc" }] }, _count: { select: { carryovers: true } } },
  });
  return runs.map(({ batches, _count, ...run }) => ({
    ...run,
    carriedOver: _count.carryovers,
    payoutCount: batches.reduce((n, b) => n + (b.status === "CANCELLED" ? 0 : b.payoutCount), 0),
    totals: totalsOf(batches.filter((b) => b.status !== "CANCELLED").map((b) => ({ currency: b.currency, amountMinor: b.totalMinor }))),
    batches,
  }));
}

export async function runDetail(runId: string) {
  const run = await db.payoutRun.findUnique({
    where: { id: runId },
    include: {
      batches: { orderBy: [{ method: "asc" }, { currency: "asc" }] },
      carryovers: { orderBy: [{ amountMinor: "desc" }], take: 200, include: { affiliate: { select: { name: true, email: true } } } },
      _count: { select: { carryovers: true } },
    },
  });
  if (!run) throw new PayoutError("not_found", "This payout run does not exist.");
  const statusCounts = await db.payout.groupBy({ by: ["batchId", "status"], where: { runId }, _count: { _all: true } });
  const counts = new Map<string, Record<string, number>>();
  for (const c of statusCounts) counts.set(c.batchId, { ...counts.get(c.batchId), [c.status]: c._count._all });
  return {
    ...run,
    carriedOverCount: run._count.carryovers,
    batches: run.batches.map((b) => ({ ...b, statusCounts: counts.get(b.id) ?? {} })),
  };
}

/** One lane's payouts, 100 a page by reference (details masked). */
export async function batchPayouts(batchId: string, after?: string) {
  const rows = await db.payout.findMany({
    where: { batchId, ...(after ? { number: { gt: BigInt(after) } } : {}) },
    orderBy: { number: "asc" },
    take: 101,
    include: { affiliate: { select: { name: true, email: true } } },
  });
  const page = rows.slice(0, 100).map(({ recipientDetails, recipient: _full, ...p }) => ({
    ...p,
    reference: `PO${p.number}`,
    details: maskedDetails(recipientDetails),
  }));
  return { payouts: page, next: rows.length > 100 ? String(page[page.length - 1]!.number) : null };
}

/** The signed-in affiliate's payouts (all statuses but cancelled), newest first. */
export async function myPayouts(affiliateId: string) {
  const rows = await db.payout.findMany({
    where: { affiliateId, status: { not: "CANCELLED" } },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, number: true, amountMinor: true, currency: true, method: true, status: true, failureReason: true, createdAt: true, sentAt: true, paidAt: true, commissionCount: true, batch: { select: { status: true } } },
  });
  return rows.map((p) => ({ ...p, reference: `PO${p.number}` }));
}

/** One payout of the affiliate with its commissions (first 200; the CSV has all). */
export async function myStatement(affiliateId: string, payoutId: string) {
  const payout = await db.payout.findFirst({
    where: { id: payoutId, affiliateId },
    select: { id: true, number: true, amountMinor: true, currency: true, method: true, status: true, failureReason: true, createdAt: true, sentAt: true, paidAt: true, commissionCount: true },
  });
  if (!payout) throw new PayoutError("not_found", "This payout does not exist.");
  const { rows: commissions } = await getPool().query<{
    id: string; kind: string; amountMinor: number; currency: string; calculation: string; status: string; createdAt: Date; txnId: string; offer: string;
  }>(
    `SELECT c.id, c.kind, c."amountMinor", c.currency, c.calculation, c.status, c."createdAt", v."txnId", o.name AS offer
     FROM payouts p JOIN commissions c ON ${CLAIM("c", "p")} JOIN conversions v ON v.id = c."conversionId" JOIN offers o ON o.id = c."offerId"
     WHERE p.id = $1 AND p."affiliateId" = $2 ORDER BY c."createdAt", c.id LIMIT 200`,
    [payoutId, affiliateId],
  );
  // A failed payout's commissions went back to the pool: the statement says so instead of listing nothing.
  return { payout: { ...payout, reference: `PO${payout.number}` }, commissions };
}

function totalsOf(rows: { currency: string; amountMinor: bigint }[]) {
  const totals = new Map<string, bigint>();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0n) + r.amountMinor);
  return [...totals].map(([currency, amountMinor]) => ({ currency, amountMinor }));
}
