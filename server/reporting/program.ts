// The manager's program overview: traffic, conversions and commissions over the last N days, from the per-offer
// and per-affiliate daily rollups (at most days × offers rows, and days × affiliates converting for the top five).
import { getPool } from "../db";
import { DAY_MS, dayKey, fillDays, periodStart, wholeWeeks } from "./period";
import { rollupFrom } from "./rollups";

export async function programOverview({ days, now = new Date() }: { days: number; now?: Date }) {
  const since = periodStart(days, now);
  const range = [dayKey(since), dayKey(new Date(periodStart(1, now).getTime() + DAY_MS))]; // [since, tomorrow)
  const pool = getPool();
  const [clickDays, conversionDays, commissions, topAffiliates] = await Promise.all([
    pool.query<{ day: string; n: string }>(
      `SELECT day::text, sum(billable) AS n FROM ${rollupFrom("rollup_offer_day_clicks")} t WHERE day >= $1::date AND day < $2::date GROUP BY day`,
      range,
    ),
    pool.query<{ day: string; n: string }>(
      `SELECT day::text, sum(n) AS n FROM ${rollupFrom("rollup_offer_day_conversions")} t WHERE day >= $1::date AND day < $2::date GROUP BY day`,
      range,
    ),
    pool.query<{ currency: string; amountMinor: string; count: string }>(
      `SELECT currency, sum("amountMinor") AS "amountMinor", sum(n) AS count FROM ${rollupFrom("rollup_offer_day_commissions")} t
       WHERE day >= $1::date AND day < $2::date AND status <> 'REVERSED' GROUP BY currency HAVING sum(n) <> 0 ORDER BY currency`,
      range,
    ),
    topAffiliatesSince(since, now),
  ]);
  const toMap = (rows: { day: string; n: string }[]) => new Map(rows.map((r) => [r.day, Number(r.n)]));
  const daily = fillDays(since, days, { clicks: toMap(clickDays.rows), conversions: toMap(conversionDays.rows) });
  const clicks = daily.reduce((sum, d) => sum + d.clicks, 0);
  const conversions = daily.reduce((sum, d) => sum + d.conversions, 0);
  return {
    since,
    days,
    clicks,
    conversions,
    /** Conversions per 100 billable clicks (display only). */
    conversionRate: clicks ? (conversions / clicks) * 100 : 0,
    commissions: commissions.rows.map((c) => ({ currency: c.currency, amountMinor: BigInt(c.amountMinor), count: Number(c.count) })),
    daily,
    topAffiliates: topAffiliates.rows.map((a) => ({ id: a.id, name: a.name ?? "(deleted)", conversions: Number(a.conversions) })),
  };
}

/**
 * The five affiliates with the most conversions from `since` (a UTC midnight) through today: the whole weeks
 * inside the period from the weekly rollup (a row per affiliate-week), the days before the first and after the last
 * of them from the daily one — a fifth of the rows of summing days, for the same sums.
 */
function topAffiliatesSince(since: Date, now: Date) {
  const end = periodStart(1, now).getTime() + DAY_MS; // exclusive: tomorrow's midnight
  const { weeksFrom, weeksTo } = wholeWeeks(since.getTime(), end);
  return getPool().query<{ id: string; name: string | null; conversions: string }>(
    `SELECT top.id, a.name, top.conversions FROM (
       SELECT "affiliateId" AS id, sum(n) AS conversions FROM (
         SELECT "affiliateId", n FROM ${rollupFrom("rollup_affiliate_week_conversions")} w WHERE week >= $3::date AND week < $4::date
         UNION ALL
         SELECT "affiliateId", n FROM ${rollupFrom("rollup_affiliate_day_conversions")} d
         WHERE day >= $1::date AND day < $2::date AND (day < $3::date OR day >= $4::date)
       ) t GROUP BY 1 HAVING sum(n) > 0 ORDER BY 2 DESC, 1 LIMIT 5
     ) top LEFT JOIN affiliates a ON a.id = top.id ORDER BY top.conversions DESC, a.name`,
    [dayKey(since), dayKey(new Date(end)), dayKey(new Date(weeksFrom)), dayKey(new Date(weeksTo))],
  );
}
