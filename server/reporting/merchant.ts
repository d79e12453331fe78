// A merchant's offers with their rates, tiers and last-30-day results. Every query filters by the merchant's id.
import { db } from "../db";
import { periodStart } from "./period";

const offerSelect = {
  id: true,
  name: true,
  payoutModel: true,
  cpaAmountMinor: true,
  revshareBps: true,
  currency: true,
  attributionWindowDays: true,
  holdingPeriodDays: true,
  active: true,
  createdAt: true,
  tiers: { orderBy: { minConversions: "asc" }, select: { minConversions: true, cpaAmountMinor: true, revshareBps: true } },
  _count: { select: { links: true } },
} as const;

async function withStats<T extends { id: string }>(merchantId: string, offers: T[], now: Date) {
  const since = periodStart(30, now);
  const offerIds = offers.map((o) => o.id);
  const [clicks, conversions, commissions] = await Promise.all([
    db.click.groupBy({ by: ["offerId"], where: { offerId: { in: offerIds }, billable: true, createdAt: { gte: since } }, _count: { _all: true } }),
    db.conversion.groupBy({ by: ["offerId"], where: { merchantId, offerId: { in: offerIds }, createdAt: { gte: since } }, _count: { _all: true } }),
    db.commission.groupBy({
      by: ["offerId", "currency"],
      where: { offerId: { in: offerIds }, createdAt: { gte: since }, status: { not: "REVERSED" } },
      _sum: { amountMinor: true },
    }),
  ]);
  return offers.map((offer) => ({
    ...offer,
    clicks30d: clicks.find((c) => c.offerId === offer.id)?._count._all ?? 0,
    conversions30d: conversions.find((c) => c.offerId === offer.id)?._count._all ?? 0,
    commissions30d: commissions
      .filter((c) => c.offerId === offer.id)
      .map((c) => ({ currency: c.currency, amountMinor: c._sum.amountMinor ?? 0 })),
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
