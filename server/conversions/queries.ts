// Read models for the conversion pages: the postback log (merchant, manager), conversions and commissions with
// filters (manager), an affiliate's own conversions. Every function takes its owner scope as an argument; the
// routers pass the session's ids, never the client's.
import type { Db, Prisma } from "../db";
import type { CommissionStatus, ConversionStatus, PostbackOutcome } from "../db";
import { affiliateHeldReason } from "./labels";

export const PAGE_SIZE = 50;

export interface Page<T> {
  rows: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Keyset pagination by id over rows ordered newest first (ties broken by id). */
function paginate<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { rows: page, nextCursor: more ? page.at(-1)!.id : null };
}

const cursorArgs = (cursor: string | undefined, limit: number) => ({ take: limit + 1, ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}) });

const dateRange = (from?: Date, to?: Date) => (from || to ? { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } : undefined);

export interface LogFilter {
  outcome?: PostbackOutcome;
  reasonCode?: string;
  txnId?: string;
  cursor?: string;
  limit?: number;
}

/** Postback log, newest first. `merchantId` null means the whole program (managers). */
export async function postbackLog(db: Db, merchantId: string | null, filter: LogFilter, extra: { merchantFilter?: string } = {}) {
  const limit = filter.limit ?? PAGE_SIZE;
  const where: Prisma.PostbackLogWhereInput = {
    ...(merchantId ? { merchantId } : extra.merchantFilter ? { merchantId: extra.merchantFilter } : {}),
    ...(filter.outcome ? { outcome: filter.outcome } : {}),
    ...(filter.reasonCode ? { reasonCode: filter.reasonCode } : {}),
    ...(filter.txnId ? { params: { path: ["txn_id"], equals: filter.txnId } } : {}),
  };
  const rows = await db.postbackLog.findMany({
    where,
    orderBy: [{ receivedAt: "desc" }, { id: "desc" }],
    ...cursorArgs(filter.cursor, limit),
    select: { id: true, receivedAt: true, method: true, params: true, outcome: true, reasonCode: true, message: true, httpStatus: true, conversionId: true, ip: true, repeatCount: true, lastReceivedAt: true, merchant: { select: { name: true } } },
  });
  return paginate(rows, limit);
}

/** Who and when: the filters conversions and commissions share. */
interface RangeFilter {
  affiliateId?: string;
  merchantId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit?: number;
}

export interface ConversionFilter extends RangeFilter {
  status?: ConversionStatus;
  commissionStatus?: CommissionStatus;
}

const commissionSelect = {
  id: true,
  kind: true,
  amountMinor: true,
  currency: true,
  status: true,
  calculation: true,
  holdUntil: true,
  heldReason: true,
  approvedAt: true,
  paidAt: true,
  reversedAt: true,
} satisfies Prisma.CommissionSelect;

/** Conversions with their commissions, for managers (any merchant, any affiliate). */
export async function listConversions(db: Db, filter: ConversionFilter) {
  const limit = filter.limit ?? PAGE_SIZE;
  const rows = await db.conversion.findMany({
    where: {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.affiliateId ? { affiliateId: filter.affiliateId } : {}),
      ...(filter.merchantId ? { merchantId: filter.merchantId } : {}),
      ...(filter.commissionStatus ? { commissions: { some: { status: filter.commissionStatus } } } : {}),
      createdAt: dateRange(filter.from, filter.to),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    ...cursorArgs(filter.cursor, limit),
    select: {
      id: true,
      createdAt: true,
      txnId: true,
      event: true,
      amountMinor: true,
      currency: true,
      status: true,
      fraudScore: true,
      fraudDecision: true,
      customerId: true,
      affiliate: { select: { id: true, name: true } },
      merchant: { select: { id: true, name: true } },
      offer: { select: { id: true, name: true } },
      commissions: { select: commissionSelect, orderBy: { kind: "asc" } },
    },
  });
  return paginate(rows, limit);
}

export interface CommissionFilter extends RangeFilter {
  status?: CommissionStatus;
}

/** Commissions (earned and adjustments), for managers. */
export async function listCommissions(db: Db, filter: CommissionFilter) {
  const limit = filter.limit ?? PAGE_SIZE;
  const rows = await db.commission.findMany({
    where: {
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.affiliateId ? { affiliateId: filter.affiliateId } : {}),
      ...(filter.merchantId ? { conversion: { merchantId: filter.merchantId } } : {}),
      createdAt: dateRange(filter.from, filter.to),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    ...cursorArgs(filter.cursor, limit),
    select: {
      ...commissionSelect,
      createdAt: true,
      affiliate: { select: { id: true, name: true } },
      offer: { select: { name: true, merchant: { select: { name: true } } } },
      conversion: { select: { id: true, txnId: true, amountMinor: true, currency: true, status: true } },
    },
  });
  return paginate(rows, limit);
}

/** Merchants to filter on (managers' dropdowns; affiliates are searched: manager.affiliateChoices). */
export async function conversionFilterOptions(db: Db) {
  const merchants = await db.merchant.findMany({ select: { id: true, name: true }, orderBy: { name: "asc" } });
  return { merchants };
}

/**
 * An affiliate's own conversions with their commissions. What the merchant knows about its customer (customer id,
 * IP, txn id) is not shown to the affiliate, nor the fraud rule's detail of a held commission (affiliateHeldReason).
 */
export async function affiliateConversions(db: Db, affiliateId: string, filter: { status?: CommissionStatus; cursor?: string; limit?: number }) {
  const limit = filter.limit ?? PAGE_SIZE;
  const rows = await db.commission.findMany({
    where: { affiliateId, ...(filter.status ? { status: filter.status } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    ...cursorArgs(filter.cursor, limit),
    select: {
      ...commissionSelect,
      createdAt: true,
      offer: { select: { name: true, merchant: { select: { name: true } } } },
      conversion: { select: { id: true, createdAt: true, event: true, amountMinor: true, currency: true, status: true, sub1: true, link: { select: { slug: true } } } },
      fraudFlags: { select: { code: true } },
    },
  });
  // Held or reversed by the fraud checks: "under review" with a category, never the rule's detail (managers' only).
  const shown = rows.map(({ fraudFlags, ...row }) => ({ ...row, heldReason: affiliateHeldReason({ ...row, flagCodes: fraudFlags.map((f) => f.code) }) }));
  return paginate(shown, limit);
}
