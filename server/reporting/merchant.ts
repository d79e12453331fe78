// A merchant's offers with their rates, tiers and last-30-day results. Every query filters by the merchant's id.
import { db, getPool } from "../db";
import { offerTermsSelect } from "../offers/offers";
import { dayKey, periodStart } from "./period";
import { rollupFrom } from "./rollups";

const offerSelect = {
  ...offerTermsSelect,
  tiers: { orderBy: { minConversions: "asc" }, select: { minConversions: true, cpaAmountMinor: true, revshareBps: true } },
  _count: { select: { links: true } },
} as const;

/** Each offer's last-30-day clicks, conversions and commissions, from the per-(offer, day) rollups. */
async function withStats<T extends { id: string }>(merchantId: string, offers: T[], now: Date) {
  const since = dayKey(periodStart(30, now));
  const offerIds = offers.map((o) => o.id);
  const pool = getPool();
  const [clicks, conversions, commissions] = await Promise.all([
    pool.query<{ offerId: string; n: number }>(
      `SELECT "offerId", sum(billable)::int AS n FROM ${rollupFrom("rollup_offer_day_clicks")} t
       WHERE "offerId" = ANY($1::text[]) AND day >= $2::date GROUP BY 1`,
      [offerIds, since],
    ),
    pool.query<{ offerId: string; n: number }>(
      `SELECT "offerId", sum(n)::int AS n FROM ${rollupFrom("rollup_offer_day_conversions")} t
       WHERE "merchantId" = $1 AND "offerId" = ANY($2::text[]) AND day >= $3::date GROUP BY 1`,
      [merchantId, offerIds, since],
    ),
    pool.query<{ offerId: string; currency: string; amountMinor: string }>(
      `SELECT "offerId", currency, sum("amountMinor") AS "amountMinor" FROM ${rollupFrom("rollup_offer_day_commissions")} t
       WHERE "offerId" = ANY($1::text[]) AND day >= $2::date AND status <> 'REVERSED' GROUP BY 1, 2 HAVING sum(n) <> 0 ORDER BY 2`,
      [offerIds, since],
    ),
  ]);
  const countOf = (rows: { offerId: string; n: number }[]) => new Map(rows.map((r) => [r.offerId, r.n]));
  const clickCount = countOf(clicks.rows);
  const conversionCount = countOf(conversions.rows);
  return offers.map((offer) => ({
    ...offer,
    clicks30d: clickCount.get(offer.id) ?? 0,
    conversions30d: conversionCount.get(offer.id) ?? 0,
    commissions30d: commissions.rows.filter((c) => c.offerId === offer.id).map((c) => ({ currency: c.currency, amountMinor: BigInt(c.amountMinor) })),
  }));
}

export async function merchantOffers(merchantId: string, now = new Date()) {
  const offers = await db.offer.findMany({ where: { merchantId }, orderBy: { createdAt: "asc" }, select: offerSelect });
  return withStats(merchantId, offers, now);
}

/** One offer of this merchant, or null when the id is unknown or another merchant's. */
export async function merchantOffer(merchantId: string, offerId: string, now = new Date()) {
  const offer = await db.offer.findFirst({ where: { id: offerId, merchantId }, select: offerSelect });
  if (!offer) return null;
  const [withStat] = await withStats(merchantId, [offer], now);
  return withStat!;
}
