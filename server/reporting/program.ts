// The manager's program overview: traffic, conversions and commissions over the last N days.
import { db } from "../db";
import { dayKey, fillDays, periodStart } from "./period";

type DayCount = { day: Date; n: bigint };

export async function programOverview({ days, now = new Date() }: { days: number; now?: Date }) {
  const since = periodStart(days, now);
  const [clickDays, conversionDays, commissions, topAffiliates] = await Promise.all([
    db.$queryRaw<DayCount[]>`
      SELECT date_trunc('day', "createdAt", 'UTC') AS day, count(*) AS n
      FROM clicks WHERE "createdAt" >= ${since} AND billable GROUP BY 1`,
    db.$queryRaw<DayCount[]>`
      SELECT date_trunc('day', "createdAt", 'UTC') AS day, count(*) AS n
      FROM conversions WHERE "createdAt" >= ${since} GROUP BY 1`,
    db.commission.groupBy({
      by: ["currency"],
      where: { createdAt: { gte: since }, status: { not: "REVERSED" } },
      _sum: { amountMinor: true },
      _count: { _all: true },
      orderBy: { currency: "asc" },
    }),
    db.conversion.groupBy({
      by: ["affiliateId"],
      where: { createdAt: { gte: since } },
      _count: { affiliateId: true },
      orderBy: { _count: { affiliateId: "desc" } },
      take: 5,
    }),
  ]);
  const toMap = (rows: DayCount[]) => new Map(rows.map((r) => [dayKey(r.day), Number(r.n)]));
  const daily = fillDays(since, days, { clicks: toMap(clickDays), conversions: toMap(conversionDays) });
  const clicks = daily.reduce((sum, d) => sum + d.clicks, 0);
  const conversions = daily.reduce((sum, d) => sum + d.conversions, 0);
  const names = await db.affiliate.findMany({
    where: { id: { in: topAffiliates.map((a) => a.affiliateId) } },
    select: { id: true, name: true },
  });
  const nameOf = new Map(names.map((a) => [a.id, a.name]));
  return {
    since,
    days,
    clicks,
    conversions,
    /** Conversions per 100 billable clicks (display only). */
    conversionRate: clicks ? (conversions / clicks) * 100 : 0,
    commissions: commissions.map((c) => ({ currency: c.currency, amountMinor: c._sum.amountMinor ?? 0, count: c._count._all })),
    daily,
    topAffiliates: topAffiliates.map((a) => ({
      id: a.affiliateId,
      name: nameOf.get(a.affiliateId) ?? "(deleted)",
      conversions: a._count.affiliateId,
    })),
  };
}
