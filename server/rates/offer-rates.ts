// What an offer pays beyond its own rate, as managers set it: volume tiers (from N conversions of an affiliate on
// the offer in a calendar month, a better rate) and per-affiliate overrides (one affiliate's own rate, which wins
// over tiers and the offer's). The postback reads both in its context query (server/conversions/store.ts); the
// choice between them is server/conversions/commission.ts.
//
// A rate is typed in the offer's terms: an amount in its currency for CPA offers ("8.50"), a percentage for
// revenue share ("12.5"), both parsed exactly. Every change is audited with what it replaced.
import { z } from "zod";
import type { Db, Prisma } from "../db";
import { formatRate } from "../money";
import { parseAmount, parsePercent } from "../money/amount";
import { DomainError } from "../errors";

type Tx = Prisma.TransactionClient;

const MAX_TIERS = 10;

const id = z.string().min(1).max(100);
const rate = z.string().trim().min(1, { error: "Enter a rate" }).max(20);

export const tiersInput = z.object({
  offerId: id,
  tiers: z
    .array(
      z.object({
        minConversions: z
          .number({ error: "A whole number of conversions" })
          .int({ error: "A whole number of conversions" })
          .min(2, { error: "From 2 conversions or more: the offer's own rate pays the first" })
          .max(1_000_000, { error: "At most 1,000,000 conversions" }),
        rate,
      }),
    )
    .max(MAX_TIERS, { error: `At most ${MAX_TIERS} tiers` })
    .superRefine((tiers, ctx) => {
      const seen = new Set<number>();
      tiers.forEach((tier, i) => {
        if (seen.has(tier.minConversions)) ctx.addIssue({ code: "custom", message: `Two tiers start at ${tier.minConversions} conversions`, path: [i, "minConversions"] });
        seen.add(tier.minConversions);
      });
    }),
});

export const overrideInput = z.object({ offerId: id, affiliateId: id, rate });
export const overrideKey = z.object({ offerId: id, affiliateId: id });

interface OfferTerms {
  id: string;
  name: string;
  payoutModel: "CPA" | "REVSHARE";
  currency: string;
}

type RateFields = { cpaAmountMinor: number | null; revshareBps: number | null };

/** A typed rate in the offer's terms as the columns store it, or a BAD_REQUEST naming what is wrong. */
function parseRate(offer: OfferTerms, text: string, what: string): RateFields {
  if (offer.payoutModel === "CPA") {
    const amount = parseAmount(text, offer.currency);
    if (!amount.ok) throw badRequest(`${what}: ${amount.message.replace(/^amount/, "the rate")}`);
    return { cpaAmountMinor: amount.minor, revshareBps: null };
  }
  const share = parsePercent(text);
  if (!share.ok) throw badRequest(`${what}: ${share.message}`);
  return { cpaAmountMinor: null, revshareBps: share.bps };
}

const badRequest = (message: string) => new DomainError("invalid", message);

const describeRate = (offer: OfferTerms, fields: RateFields) => formatRate({ ...offer, ...fields });

/** Every offer with its own rate, tiers and overrides, in words as well as in columns. */
export async function listOfferRates(db: Db) {
  const offers = await db.offer.findMany({
    orderBy: [{ merchant: { name: "asc" } }, { name: "asc" }],
    select: {
      id: true,
      name: true,
      payoutModel: true,
      currency: true,
      cpaAmountMinor: true,
      revshareBps: true,
      active: true,
      merchant: { select: { name: true } },
      tiers: { orderBy: { minConversions: "asc" }, select: { minConversions: true, cpaAmountMinor: true, revshareBps: true } },
      overrides: { orderBy: { affiliate: { name: "asc" } }, select: { cpaAmountMinor: true, revshareBps: true, affiliate: { select: { id: true, name: true } } } },
    },
  });
  return offers.map((o) => ({
    ...o,
    rate: describeRate(o, o),
    tiers: o.tiers.map((t) => ({ ...t, rate: describeRate(o, t) })),
    overrides: o.overrides.map((v) => ({ ...v, rate: describeRate(o, v) })),
  }));
}

async function offerTerms(tx: Tx, offerId: string): Promise<OfferTerms> {
  // FOR UPDATE: two managers editing one offer's tiers apply one after the other, each audited against the other's.
  const [offer] = await tx.$queryRaw<OfferTerms[]>`
    SELECT id, name, "payoutModel"::text AS "payoutModel", currency FROM offers WHERE id = ${offerId} FOR UPDATE`;
  if (!offer) throw new DomainError("not_found", "This offer does not exist.");
  return offer;
}

/** Replaces the offer's tiers with `tiers` (an empty list removes them). */
export async function setTiers(db: Db, input: z.infer<typeof tiersInput>, actorId: string) {
  return db.$transaction(async (tx) => {
    const offer = await offerTerms(tx, input.offerId);
    const tiers = [...input.tiers]
      .sort((a, b) => a.minConversions - b.minConversions)
      .map((t) => ({ minConversions: t.minConversions, ...parseRate(offer, t.rate, `Tier from ${t.minConversions} conversions`) }));
    const before = await tx.commissionTier.findMany({ where: { offerId: offer.id }, orderBy: { minConversions: "asc" }, select: { minConversions: true, cpaAmountMinor: true, revshareBps: true } });
    await tx.commissionTier.deleteMany({ where: { offerId: offer.id } });
    await tx.commissionTier.createMany({ data: tiers.map((t) => ({ ...t, offerId: offer.id })) });
    await tx.auditLog.create({ data: { actorId, action: "offer.tiers_set", entityType: "offer", entityId: offer.id, data: { before, after: tiers } } });
    return { offerId: offer.id, tiers: tiers.map((t) => ({ ...t, rate: describeRate(offer, t) })) };
  });
}

/** Sets (adds or replaces) one affiliate's rate on an offer. */
export async function setOverride(db: Db, input: z.infer<typeof overrideInput>, actorId: string) {
  return db.$transaction(async (tx) => {
    const offer = await offerTerms(tx, input.offerId);
    const affiliate = await tx.affiliate.findUnique({ where: { id: input.affiliateId }, select: { id: true, name: true } });
    if (!affiliate) throw new DomainError("not_found", "This affiliate does not exist.");
    const fields = parseRate(offer, input.rate, "Rate");
    const key = { affiliateId_offerId: { affiliateId: affiliate.id, offerId: offer.id } };
    const before = await tx.affiliateOfferOverride.findUnique({ where: key, select: { cpaAmountMinor: true, revshareBps: true } });
    await tx.affiliateOfferOverride.upsert({ where: key, create: { affiliateId: affiliate.id, offerId: offer.id, ...fields }, update: fields });
    await tx.auditLog.create({ data: { actorId, action: "offer.override_set", entityType: "offer", entityId: offer.id, data: { affiliateId: affiliate.id, before, after: fields } } });
    return { offerId: offer.id, affiliate, ...fields, rate: describeRate(offer, fields) };
  });
}

/** Removes one affiliate's rate: the offer's tiers and rate apply to them again. */
export async function removeOverride(db: Db, input: z.infer<typeof overrideKey>, actorId: string) {
  return db.$transaction(async (tx) => {
    const key = { affiliateId_offerId: { affiliateId: input.affiliateId, offerId: input.offerId } };
    const before = await tx.affiliateOfferOverride.findUnique({ where: key, select: { cpaAmountMinor: true, revshareBps: true } });
    const removed = await tx.affiliateOfferOverride.deleteMany({ where: { offerId: input.offerId, affiliateId: input.affiliateId } });
    if (!before || removed.count === 0) throw new DomainError("not_found", "This affiliate has no override on this offer.");
    await tx.auditLog.create({ data: { actorId, action: "offer.override_removed", entityType: "offer", entityId: input.offerId, data: { affiliateId: input.affiliateId, before } } });
    return { removed: true };
  });
}
