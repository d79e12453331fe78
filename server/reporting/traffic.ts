// One affiliate's traffic next to their fraud flags: clicks (and the non-billable among them), conversions and
// flags per hour — or per minute, for short windows — from the per-affiliate hourly and minute rollups (168 or 180
// rows at most). Conversions per minute and flags come from their tables by affiliate and time: a few hours of one
// affiliate's sales. Buckets without traffic are 0; every bucket is a whole hour or minute.
import type { Db } from "../db";
import { HOUR, MINUTE } from "../fraud/traffic";
import { rollupFrom } from "./rollups";

export type Resolution = "hour" | "minute";

/** Bucket length and the longest span each resolution answers (168 hourly or 180 minute buckets at most). */
const RESOLUTION = {
  hour: { ms: HOUR, span: 7 * 24 * HOUR, clicks: "rollup_affiliate_hour_clicks", conversions: "rollup_affiliate_hour_conversions" },
  minute: { ms: MINUTE, span: 3 * HOUR, clicks: "rollup_affiliate_minute_clicks", conversions: null },
} as const;

type Bucket = { at: Date; n: number };

export async function affiliateTraffic(db: Db, affiliateId: string, from: Date, to: Date, resolution: Resolution = "hour") {
  const { ms, span, clicks: clickRollup, conversions: conversionRollup } = RESOLUTION[resolution];
  const start = Math.floor(from.getTime() / ms) * ms;
  const end = Math.min(to.getTime(), start + span);
  const [id, since, until] = [affiliateId, new Date(start), new Date(end)];
  const time = `"${resolution}"`;
  const [clicks, conversions, flags] = await Promise.all([
    db.$queryRawUnsafe<{ at: Date; clicks: number; nonBillable: number }[]>(
      `SELECT ${time} AS at, sum(n)::int AS clicks, sum(n - billable)::int AS "nonBillable" FROM ${rollupFrom(clickRollup)} t
       WHERE "affiliateId" = $1 AND ${time} >= $2 AND ${time} < $3 GROUP BY 1`,
      id, since, until,
    ),
    conversionRollup
      ? db.$queryRawUnsafe<Bucket[]>(
          `SELECT hour AS at, sum(n)::int AS n FROM ${rollupFrom(conversionRollup)} t
           WHERE "affiliateId" = $1 AND hour >= $2 AND hour < $3 GROUP BY 1`,
          id, since, until,
        )
      : db.$queryRaw<Bucket[]>`
          SELECT date_trunc('minute', "createdAt") AS at, count(*)::int AS n
          FROM conversions WHERE "affiliateId" = ${id} AND "createdAt" >= ${since} AND "createdAt" < ${until} GROUP BY 1`,
    db.$queryRaw<Bucket[]>`
      SELECT date_trunc(${resolution}, "createdAt") AS at, count(*)::int AS n
      FROM fraud_flags WHERE "affiliateId" = ${id} AND "createdAt" >= ${since} AND "createdAt" < ${until}
      GROUP BY 1`,
  ]);
  const byBucket = <T extends { at: Date }>(rows: T[]) => new Map(rows.map((r) => [r.at.getTime(), r]));
  const c = byBucket(clicks);
  const v = byBucket(conversions);
  const f = byBucket(flags);
  const series = [];
  for (let t = start; t < end; t += ms) {
    series.push({ at: new Date(t), clicks: c.get(t)?.clicks ?? 0, nonBillable: c.get(t)?.nonBillable ?? 0, conversions: v.get(t)?.n ?? 0, flags: f.get(t)?.n ?? 0 });
  }
  return series;
}
