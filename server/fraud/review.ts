// The manager's review of flagged conversions: the queue (open flags grouped by affiliate), the traffic around
// them, and the two decisions. Each decision changes the commission, closes its flags and writes an audit row
// with who and when, all in one transaction:
//   release  HELD → APPROVED when the holding period is over or the merchant already approved the sale, else
//            PENDING (the approval job takes it from there); a PENDING commission under review stays PENDING.
//   reverse  → REVERSED, with a `commission.reversed` outbox event for the merchant's webhooks.
import { type Db, type Prisma } from "../db";
import { commissionPayload, event } from "../conversions/events";
import { HOUR } from "./traffic";

export type Decision = "release" | "reverse";

type Tx = Prisma.TransactionClient;

const MAX_QUEUE_FLAGS = 500;

/** Open flags, newest first, grouped by affiliate; each group lists its commissions with their flags. */
export async function fraudQueue(db: Db) {
  const flags = await db.fraudFlag.findMany({
    where: { status: "OPEN" },
    orderBy: { createdAt: "desc" },
    take: MAX_QUEUE_FLAGS,
    include: {
      affiliate: { select: { id: true, name: true, email: true } },
      commission: { select: { id: true, status: true, amountMinor: true, currency: true, heldReason: true, holdUntil: true } },
      conversion: { select: { id: true, txnId: true, fraudScore: true, fraudDecision: true, amountMinor: true, currency: true, createdAt: true, offer: { select: { name: true } } } },
    },
  });
  const groups = new Map<string, { affiliate: (typeof flags)[number]["affiliate"]; items: Map<string, QueueItem>; from: Date; to: Date }>();
  for (const flag of flags) {
    let group = groups.get(flag.affiliateId);
    if (!group) groups.set(flag.affiliateId, (group = { affiliate: flag.affiliate, items: new Map(), from: flag.createdAt, to: flag.createdAt }));
    if (flag.createdAt < group.from) group.from = flag.createdAt;
    if (flag.createdAt > group.to) group.to = flag.createdAt;
    const key = flag.commissionId ?? flag.id;
    let item = group.items.get(key);
    if (!item) group.items.set(key, (item = { commission: flag.commission, conversion: flag.conversion, flags: [] }));
    item.flags.push({ id: flag.id, code: flag.code, severity: flag.severity, explanation: flag.explanation, evidence: flag.evidence, clickId: flag.clickId, createdAt: flag.createdAt });
  }
  return [...groups.values()].map((g) => ({
    affiliate: g.affiliate,
    /** The window the traffic chart should show: a day before the first flag to an hour after the last. */
    window: { from: new Date(Math.max(g.from.getTime() - 24 * HOUR, g.to.getTime() - 7 * 24 * HOUR)), to: new Date(g.to.getTime() + HOUR) },
    items: [...g.items.values()],
  }));
}

interface QueueItem {
  commission: { id: string; status: string; amountMinor: number; currency: string; heldReason: string | null; holdUntil: Date } | null;
  conversion: { id: string; txnId: string; fraudScore: number; fraudDecision: string; amountMinor: number; currency: string; createdAt: Date; offer: { name: string } } | null;
  flags: { id: string; code: string; severity: number; explanation: string; evidence: unknown; clickId: string | null; createdAt: Date }[];
}

/**
 * Clicks (and the non-billable among them), conversions and flags per hour for one affiliate — the chart next to
 * their flags. Reads clicks and conversions by their (affiliateId, createdAt) indexes; hours without traffic are 0.
 */
export async function affiliateTraffic(db: Db, affiliateId: string, from: Date, to: Date) {
  const start = Math.floor(from.getTime() / HOUR) * HOUR;
  const end = Math.min(to.getTime(), start + 7 * 24 * HOUR);
  const range = [affiliateId, new Date(start), new Date(end)] as const;
  const [clicks, conversions, flags] = await Promise.all([
    db.$queryRaw<{ hour: Date; clicks: number; nonBillable: number }[]>`
      SELECT date_trunc('hour', "createdAt") AS hour, count(*)::int AS clicks,
             count(*) FILTER (WHERE NOT billable)::int AS "nonBillable"
      FROM clicks WHERE "affiliateId" = ${range[0]} AND "createdAt" >= ${range[1]} AND "createdAt" < ${range[2]}
      GROUP BY 1`,
    db.$queryRaw<{ hour: Date; n: number }[]>`
      SELECT date_trunc('hour', "createdAt") AS hour, count(*)::int AS n
      FROM conversions WHERE "affiliateId" = ${range[0]} AND "createdAt" >= ${range[1]} AND "createdAt" < ${range[2]}
      GROUP BY 1`,
    db.$queryRaw<{ hour: Date; n: number }[]>`
      SELECT date_trunc('hour', "createdAt") AS hour, count(*)::int AS n
      FROM fraud_flags WHERE "affiliateId" = ${range[0]} AND "createdAt" >= ${range[1]} AND "createdAt" < ${range[2]}
      GROUP BY 1`,
  ]);
  const byHour = <T extends { hour: Date }>(rows: T[]) => new Map(rows.map((r) => [r.hour.getTime(), r]));
  const c = byHour(clicks);
  const v = byHour(conversions);
  const f = byHour(flags);
  const series = [];
  for (let t = start; t < end; t += HOUR) {
    series.push({ hour: new Date(t), clicks: c.get(t)?.clicks ?? 0, nonBillable: c.get(t)?.nonBillable ?? 0, conversions: v.get(t)?.n ?? 0, flags: f.get(t)?.n ?? 0 });
  }
  return series;
}

export interface DecisionResult {
  decided: { commissionId: string; from: string; to: string }[];
  skipped: { commissionId: string; reason: string }[];
}

/** Releases or reverses commissions that have open flags; all of them in one transaction. */
export async function decideCommissions(db: Db, input: { commissionIds: string[]; decision: Decision; note?: string }, actorId: string, now = new Date()): Promise<DecisionResult> {
  return db.$transaction(async (tx) => {
    const ids = [...new Set(input.commissionIds)];
    // Row locks: a concurrent refund, approval job or second reviewer waits, then sees the decided state.
    await tx.$queryRaw`SELECT id FROM commissions WHERE id = ANY(${ids}::text[]) ORDER BY id FOR UPDATE`;
    const rows = await tx.commission.findMany({
      where: { id: { in: ids } },
      include: {
        conversion: { select: { id: true, merchantId: true, txnId: true, status: true } },
        fraudFlags: { where: { status: "OPEN" }, select: { id: true, code: true } },
      },
    });
    const result: DecisionResult = { decided: [], skipped: [] };
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const row = found.get(id);
      const problem = !row
        ? "no such commission"
        : row.fraudFlags.length === 0
          ? "it has no open fraud flags (already decided?)"
          : row.status === "PAID" || row.status === "REVERSED"
            ? `it is already ${row.status.toLowerCase()}`
            : null;
      if (problem || !row) {
        result.skipped.push({ commissionId: id, reason: problem ?? "no such commission" });
        continue;
      }
      const to = await applyDecision(tx, row, input.decision, actorId, now);
      await tx.fraudFlag.updateMany({
        where: { id: { in: row.fraudFlags.map((f) => f.id) } },
        data: { status: input.decision === "release" ? "RELEASED" : "REVERSED", decidedById: actorId, decidedAt: now },
      });
      await tx.auditLog.create({
        data: {
          actorId,
          action: `fraud.${input.decision}`,
          entityType: "commission",
          entityId: row.id,
          data: { from: row.status, to, affiliateId: row.affiliateId, conversionId: row.conversionId, flags: row.fraudFlags.map((f) => f.code), note: input.note ?? null },
          createdAt: now,
        },
      });
      result.decided.push({ commissionId: row.id, from: row.status, to });
    }
    return result;
  });
}

type LockedRow = Prisma.CommissionGetPayload<{ include: { conversion: { select: { id: true; merchantId: true; txnId: true; status: true } } } }>;

async function applyDecision(tx: Tx, row: LockedRow, decision: Decision, actorId: string, now: Date): Promise<string> {
  if (decision === "release") {
    if (row.status !== "HELD") return row.status; // under review only: the commission keeps its course
    const approve = row.holdUntil <= now || row.conversion.status === "APPROVED";
    await tx.commission.update({
      where: { id: row.id },
      data: approve ? { status: "APPROVED", heldReason: null, approvedAt: now, approvedById: actorId } : { status: "PENDING", heldReason: null },
    });
    if (approve && row.conversion.status === "PENDING") await tx.conversion.update({ where: { id: row.conversionId }, data: { status: "APPROVED" } });
    return approve ? "APPROVED" : "PENDING";
  }
  await tx.commission.update({ where: { id: row.id }, data: { status: "REVERSED", reversedAt: now } });
  const payload = commissionPayload({
    id: row.id,
    kind: row.kind,
    conversionId: row.conversionId,
    txnId: row.conversion.txnId,
    affiliateId: row.affiliateId,
    offerId: row.offerId,
    amountMinor: row.amountMinor,
    currency: row.currency,
    status: "REVERSED",
    calculation: row.calculation,
    holdUntil: row.holdUntil,
    heldReason: row.heldReason,
  });
  const outbox = event("commission.reversed", { ...payload, reason: "fraud", reversed_at: now.toISOString() });
  await tx.outboxEvent.create({ data: { id: outbox.id, type: outbox.type, merchantId: row.conversion.merchantId, payload: outbox.payload as Prisma.InputJsonValue, createdAt: now } });
  await tx.$executeRaw`SELECT pg_notify('outbox', '')`; // delivered at commit: the relay wakes for committed rows only
  return "REVERSED";
}

/** The latest fraud decisions with who made them. */
export async function decisionHistory(db: Db, take = 50) {
  const logs = await db.auditLog.findMany({ where: { action: { in: ["fraud.release", "fraud.reverse"] } }, orderBy: { createdAt: "desc" }, take });
  const actors = await db.user.findMany({ where: { id: { in: [...new Set(logs.flatMap((l) => (l.actorId ? [l.actorId] : [])))] } }, select: { id: true, name: true, email: true } });
  const byId = new Map(actors.map((a) => [a.id, a]));
  return logs.map((l) => ({ id: l.id, action: l.action, commissionId: l.entityId, data: l.data, at: l.createdAt, actor: l.actorId ? (byId.get(l.actorId) ?? null) : null }));
}
