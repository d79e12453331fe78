// Offers, managed in the app: merchants their own, managers every merchant's. Create, edit (terms, attribution,
// holding, caps, whether affiliates may join without approval), pause, resume and archive.
//
// - A commission keeps its calculation: terms are read by the postback when a conversion arrives and copied into
//   its commission (amount, `calculation`, `holdUntil`), so an edit applies to new conversions only.
// - Pausing or archiving sets `active = false`: the links' NOTIFY trigger follows `offers.active`, so every
//   server's /go cache drops the offer's links within a second (server/tracking). Archiving is final.
// - Caps are enforced by the postback's create statement on `offer_cap_usage` (server/conversions/store.ts); a cap
//   set or changed here re-counts the current day and month from the stored conversions, in one statement.
// - Every change is in `audit_logs` with what it replaced; a call that changes nothing writes nothing.
import { type Db, Prisma } from "../db";
import type { OfferStatusAction, OfferTermsInput } from "./schema";

export class OfferError extends Error {
  constructor(
    readonly code: "BAD_REQUEST" | "FORBIDDEN" | "CONFLICT",
    message: string,
  ) {
    super(message);
  }
}

/** Whose offers a caller may touch: one merchant's (a merchant's session) or all (a manager). */
export type OfferScope = { merchantId: string } | { all: true };

const scoped = (scope: OfferScope, id: string): Prisma.OfferWhereInput => ("merchantId" in scope ? { id, merchantId: scope.merchantId } : { id });

/** An offer's terms and status, as every offer page shows them (server/reporting/merchant.ts adds its results). */
export const offerTermsSelect = {
  id: true,
  name: true,
  payoutModel: true,
  cpaAmountMinor: true,
  revshareBps: true,
  currency: true,
  attributionWindowDays: true,
  holdingPeriodDays: true,
  dailyCap: true,
  monthlyCap: true,
  active: true,
  archivedAt: true,
  createdAt: true,
} satisfies Prisma.OfferSelect;

export const offerSelect = {
  ...offerTermsSelect,
  merchantId: true,
  merchant: { select: { name: true } },
  destinationUrl: true,
  openToAffiliates: true,
  updatedAt: true,
  _count: { select: { links: true, tiers: true, overrides: true } },
} satisfies Prisma.OfferSelect;

export type OfferRow = Prisma.OfferGetPayload<{ select: typeof offerSelect }>;

/** The audited columns of an offer (what an edit may change). */
const TERMS = ["name", "destinationUrl", "payoutModel", "cpaAmountMinor", "revshareBps", "currency", "attributionWindowDays", "holdingPeriodDays", "dailyCap", "monthlyCap", "openToAffiliates"] as const;
type Terms = Pick<OfferRow, (typeof TERMS)[number]>;

const termsOf = (row: Terms): Terms => Object.fromEntries(TERMS.map((k) => [k, row[k]])) as Terms;

export function offerStatus(offer: Pick<OfferRow, "active" | "archivedAt">): "active" | "paused" | "archived" {
  return offer.archivedAt ? "archived" : offer.active ? "active" : "paused";
}

/** Offers in scope, newest first; archived ones only when asked. Managers may narrow to one merchant. */
export async function listOffers(db: Db, scope: OfferScope, filter: { merchantId?: string; includeArchived?: boolean } = {}) {
  const where: Prisma.OfferWhereInput = {
    ...("merchantId" in scope ? { merchantId: scope.merchantId } : filter.merchantId ? { merchantId: filter.merchantId } : {}),
    ...(filter.includeArchived ? {} : { archivedAt: null }),
  };
  const offers = await db.offer.findMany({ where, select: offerSelect, orderBy: [{ createdAt: "desc" }, { id: "asc" }], take: 500 });
  return offers.map((offer) => ({ ...offer, status: offerStatus(offer) }));
}

/** Merchants a manager can create an offer for (the form's choices). */
export async function offerMerchantChoices(db: Db) {
  return db.merchant.findMany({ select: { id: true, name: true, defaultCurrency: true }, orderBy: { name: "asc" } });
}

export async function createOffer(db: Db, actorId: string, merchantId: string, input: OfferTermsInput) {
  const merchant = await db.merchant.findUnique({ where: { id: merchantId }, select: { id: true } });
  if (!merchant) throw new OfferError("BAD_REQUEST", "This merchant does not exist.");
  return db.$transaction(async (tx) => {
    const offer = await tx.offer.create({ data: { ...input, merchantId }, select: offerSelect });
    await tx.auditLog.create({ data: { actorId, action: "offer.created", entityType: "offer", entityId: offer.id, data: { after: termsOf(offer) } } });
    return { ...offer, status: offerStatus(offer) };
  });
}

export async function updateOffer(db: Db, actorId: string, scope: OfferScope, id: string, input: OfferTermsInput) {
  return db.$transaction(async (tx) => {
    const before = await lockOffer(tx, scope, id);
    if (before.archivedAt) throw new OfferError("CONFLICT", "This offer is archived: it can no longer be changed.");
    const termsChanged = before.payoutModel !== input.payoutModel || before.currency !== input.currency;
    if (termsChanged && before._count.tiers + before._count.overrides > 0) {
      throw new OfferError("CONFLICT", "This offer has volume tiers or affiliate overrides in its current model and currency: remove them under Rates before changing either.");
    }
    const changed = TERMS.filter((k) => before[k] !== input[k]);
    if (changed.length === 0) return { ...before, status: offerStatus(before) };
    const after = await tx.offer.update({ where: { id: before.id }, data: input, select: offerSelect });
    if (before.dailyCap !== after.dailyCap || before.monthlyCap !== after.monthlyCap) await recountCapUsage(tx, after.id, new Date());
    const data = { before: pick(termsOf(before), changed), after: pick(termsOf(after), changed) };
    await tx.auditLog.create({ data: { actorId, action: "offer.updated", entityType: "offer", entityId: after.id, data } });
    return { ...after, status: offerStatus(after) };
  });
}

export async function setOfferStatus(db: Db, actorId: string, scope: OfferScope, id: string, action: OfferStatusAction) {
  return db.$transaction(async (tx) => {
    const before = await lockOffer(tx, scope, id);
    if (before.archivedAt) {
      if (action === "archive") return { ...before, status: offerStatus(before) };
      throw new OfferError("CONFLICT", "This offer is archived: it cannot be paused or resumed.");
    }
    const data = action === "archive" ? { active: false, archivedAt: new Date() } : { active: action === "resume" };
    if (action !== "archive" && before.active === data.active) return { ...before, status: offerStatus(before) };
    const after = await tx.offer.update({ where: { id: before.id }, data, select: offerSelect });
    const status = offerStatus(after);
    await tx.auditLog.create({ data: { actorId, action: `offer.${action}d`, entityType: "offer", entityId: after.id, data: { before: offerStatus(before), after: status } } });
    return { ...after, status };
  });
}

/** The offer in scope, row-locked for the rest of the transaction (two edits at once apply one after the other). */
async function lockOffer(tx: Prisma.TransactionClient, scope: OfferScope, id: string): Promise<OfferRow> {
  const where = scoped(scope, id);
  const found = await tx.offer.findFirst({ where, select: { id: true } });
  if (!found) throw new OfferError("FORBIDDEN", "This offer does not exist or is not yours.");
  await tx.$queryRaw`SELECT 1 FROM offers WHERE id = ${found.id} FOR UPDATE`;
  return tx.offer.findUniqueOrThrow({ where: { id: found.id }, select: offerSelect });
}

/**
 * Sets the cap counter to the conversions the offer accepted this UTC day and month (refunded ones included: a cap
 * counts what was accepted), so a cap set mid-day counts what came before it. One statement; the postback's create
 * statement takes the same row lock.
 */
export async function recountCapUsage(tx: Prisma.TransactionClient, offerId: string, now: Date): Promise<void> {
  const day = now.toISOString().slice(0, 10);
  const month = `${day.slice(0, 7)}-01`;
  await tx.$executeRaw`
    INSERT INTO offer_cap_usage ("offerId", day, "dayCount", month, "monthCount")
    SELECT ${offerId}, ${day}::date, count(*) FILTER (WHERE c."createdAt" >= ${day}::date AT TIME ZONE 'UTC')::int,
           ${month}::date, count(*)::int
    FROM conversions c WHERE c."offerId" = ${offerId} AND c."createdAt" >= ${month}::date AT TIME ZONE 'UTC'
    ON CONFLICT ("offerId") DO UPDATE SET day = EXCLUDED.day, "dayCount" = EXCLUDED."dayCount", month = EXCLUDED.month, "monthCount" = EXCLUDED."monthCount"`;
}

function pick<T extends object>(row: T, keys: readonly (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, row[k]])) as Partial<T>;
}
