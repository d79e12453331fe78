// The manager's review of flagged conversions: the queue (open flags grouped by affiliate), the traffic around
// them, and the two decisions. Each decision changes the commission, closes its flags and writes an audit row
// with who and when, all in one transaction:
//   release  HELD or PENDING → APPROVED when the holding period is over or the merchant already approved the sale,
//            else PENDING (the approval job takes it from there once no flag is open).
//   reverse  → REVERSED with the reason the affiliate sees ("reversed: …"), and a `commission.reversed` outbox
//            event for the merchant's webhooks.
// A commission already PAID or REVERSED cannot change any more: its flags are closed with that outcome.
import { type Db, type Prisma } from "../db";
import { commissionPayload, event } from "../conversions/events";
import { RESOLUTIONS } from "./flags";
import { COMBINED_SCORE, COMBINED_SCORE_TITLE } from "./combined";
import { ruleByCode } from "./rules";
import { HOUR, MINUTE } from "./traffic";
import { wakeRelays } from "../webhooks/wake";

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
      conversion: { select: { id: true, txnId: true, fraudScore: true, fraudDecision: true, amountMinor: true, currency: true, createdAt: true, clickedAt: true, offer: { select: { name: true } } } },
    },
  });
  type Group = { affiliate: (typeof flags)[number]["affiliate"]; items: Map<string, QueueItem>; from: Date; to: Date; focus: Date | null };
  const groups = new Map<string, Group>();
  for (const flag of flags) {
    let group = groups.get(flag.affiliateId);
    if (!group) groups.set(flag.affiliateId, (group = { affiliate: flag.affiliate, items: new Map(), from: flag.createdAt, to: flag.createdAt, focus: null }));
    if (flag.createdAt < group.from) group.from = flag.createdAt;
    if (flag.createdAt > group.to) group.to = flag.createdAt;
    // Flags come newest first: the focus is the click of the latest short-window flag.
    if (!group.focus && SHORT_WINDOW_CODES.has(flag.code)) group.focus = flag.conversion?.clickedAt ?? flag.createdAt;
    const key = flag.commissionId ?? flag.id;
    let item = group.items.get(key);
    if (!item) group.items.set(key, (item = { commission: flag.commission, conversion: flag.conversion, flags: [] }));
    item.flags.push({ id: flag.id, code: flag.code, severity: flag.severity, explanation: flag.explanation, evidence: flag.evidence, clickId: flag.clickId, createdAt: flag.createdAt });
  }
  return [...groups.values()].map((g) => {
    const focusMinute = Math.floor((g.focus ?? g.to).getTime() / MINUTE) * MINUTE;
    return {
      affiliate: g.affiliate,
      /** The window the hourly chart shows: a day before the first flag to an hour after the last. */
      window: { from: new Date(Math.max(g.from.getTime() - 24 * HOUR, g.to.getTime() - 7 * 24 * HOUR)), to: new Date(g.to.getTime() + HOUR) },
      /**
       * The minute-by-minute view: ±30 min around the click of the latest short-window flag (velocity, bursts,
       * seconds-to-conversion — invisible per hour), shown first when there is one; else around the latest flag.
       */
      detail: { from: new Date(focusMinute - DETAIL_MS / 2), to: new Date(focusMinute + DETAIL_MS / 2 + MINUTE), focus: g.focus ?? g.to, preferred: g.focus !== null },
      items: [...g.items.values()],
    };
  });
}

/** Rules whose window is seconds to minutes: their evidence is only visible minute by minute. */
const SHORT_WINDOW_CODES = new Set(["click_velocity", "synchronized_burst", "fast_conversion"]);
const DETAIL_MS = 60 * MINUTE;

interface QueueItem {
  commission: { id: string; status: string; amountMinor: number; currency: string; heldReason: string | null; holdUntil: Date } | null;
  conversion: { id: string; txnId: string; fraudScore: number; fraudDecision: string; amountMinor: number; currency: string; createdAt: Date; clickedAt: Date; offer: { name: string } } | null;
  flags: { id: string; code: string; severity: number; explanation: string; evidence: unknown; clickId: string | null; createdAt: Date }[];
}

export interface DecisionResult {
  decided: { commissionId: string; from: string; to: string }[];
  /** Already paid or reversed: nothing left to decide, their open flags were closed with that outcome. */
  closed: { commissionId: string; status: string }[];
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
    const result: DecisionResult = { decided: [], closed: [], skipped: [] };
    const found = new Map(rows.map((r) => [r.id, r]));
    for (const id of ids) {
      const row = found.get(id);
      if (!row || row.fraudFlags.length === 0) {
        result.skipped.push({ commissionId: id, reason: row ? "it has no open fraud flags (already decided?)" : "no such commission" });
        continue;
      }
      // A paid or reversed commission keeps its status whatever is decided; its flags close with that outcome.
      const final = row.status === "PAID" || row.status === "REVERSED" ? row.status : null;
      const to = final ?? (await applyDecision(tx, row, input.decision, actorId, now));
      await tx.fraudFlag.updateMany({
        where: { id: { in: row.fraudFlags.map((f) => f.id) } },
        data: {
          status: (final ? final === "REVERSED" : input.decision === "reverse") ? "REVERSED" : "RELEASED",
          resolution: RESOLUTIONS[final ?? input.decision],
          decidedById: actorId,
          decidedAt: now,
        },
      });
      await tx.auditLog.create({
        data: {
          actorId,
          action: final ? "fraud.close" : `fraud.${input.decision}`,
          entityType: "commission",
          entityId: row.id,
          data: { from: row.status, to, decision: input.decision, affiliateId: row.affiliateId, conversionId: row.conversionId, flags: row.fraudFlags.map((f) => f.code), note: input.note ?? null },
          createdAt: now,
        },
      });
      if (final) result.closed.push({ commissionId: row.id, status: final });
      else result.decided.push({ commissionId: row.id, from: row.status, to });
    }
    return result;
  });
}

type LockedRow = Prisma.CommissionGetPayload<{ include: { conversion: { select: { id: true; merchantId: true; txnId: true; status: true } } } }>;

async function applyDecision(tx: Tx, row: LockedRow & { fraudFlags: { code: string }[] }, decision: Decision, actorId: string, now: Date): Promise<string> {
  if (decision === "release") {
    // Under review, a pending commission waited for this (the approval job and merchant approvals skip open flags).
    if (row.status !== "HELD" && row.status !== "PENDING") return row.status;
    const approve = row.holdUntil <= now || row.conversion.status === "APPROVED";
    if (!approve && row.status === "PENDING") return "PENDING";
    await tx.commission.update({
      where: { id: row.id },
      data: approve ? { status: "APPROVED", heldReason: null, approvedAt: now, approvedById: actorId } : { status: "PENDING", heldReason: null },
    });
    if (approve && row.conversion.status === "PENDING") await tx.conversion.update({ where: { id: row.conversionId }, data: { status: "APPROVED" } });
    return approve ? "APPROVED" : "PENDING";
  }
  // The affiliate sees why: the hold's reason, or (sent to review, never held) which checks flagged it.
  const reason = row.heldReason ?? reviewReason(row.fraudFlags.map((f) => f.code));
  await tx.commission.update({ where: { id: row.id }, data: { status: "REVERSED", reversedAt: now, heldReason: reason } });
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
    heldReason: reason,
  });
  const outbox = event("commission.reversed", { ...payload, reason: "fraud", reversed_at: now.toISOString() });
  await tx.outboxEvent.create({ data: { id: outbox.id, type: outbox.type, merchantId: row.conversion.merchantId, payload: outbox.payload as Prisma.InputJsonValue, createdAt: now } });
  await wakeRelays(tx);
  return "REVERSED";
}

/** "flagged by the fraud checks (Click velocity, Click farms)": rule titles, no personal data. */
function reviewReason(codes: string[]): string {
  const titles = [...new Set(codes)].map((code) => ruleByCode(code)?.title ?? (code === COMBINED_SCORE ? COMBINED_SCORE_TITLE : code));
  return `flagged by the fraud checks (${titles.join(", ")})`;
}

/** The latest fraud decisions with who made them. */
export async function decisionHistory(db: Db, take = 50) {
  const logs = await db.auditLog.findMany({ where: { action: { in: ["fraud.release", "fraud.reverse", "fraud.close"] } }, orderBy: { createdAt: "desc" }, take });
  const actors = await db.user.findMany({ where: { id: { in: [...new Set(logs.flatMap((l) => (l.actorId ? [l.actorId] : [])))] } }, select: { id: true, name: true, email: true } });
  const byId = new Map(actors.map((a) => [a.id, a]));
  return logs.map((l) => ({ id: l.id, action: l.action, commissionId: l.entityId, data: l.data, at: l.createdAt, actor: l.actorId ? (byId.get(l.actorId) ?? null) : null }));
}
