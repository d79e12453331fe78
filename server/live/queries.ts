// Reads behind the live pages' first paint: what happened before the stream started, up to a cursor — the stream's
// own starting cursor when the page has it (the page subscribes first, then reads up to the id its stream started
// after), else the hub's — so the two meet exactly (no event shown twice, none missing).
import type pg from "pg";
import { type LiveEvent, type LiveRow, viewFor } from "./events";
import { liveService } from "./index";

const WINDOW_S = 15 * 60;

async function cursorOf(pool: pg.Pool): Promise<string> {
  const hub = liveService()?.hub;
  if (hub) return hub.lastId;
  const { rows } = await pool.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM live_events`);
  return rows[0]?.id ?? "0";
}

export interface RecentActivity {
  cursor: string;
  /** Per second (epoch seconds), the last 15 minutes: clicks (all instances) and new conversions. */
  series: { second: number; clicks: number; conversions: number }[];
  /** The latest postbacks and fraud flags, oldest first (managers' view). */
  feed: LiveEvent[];
}

export async function recentActivity(pool: pg.Pool, { upTo, now = Date.now() }: { upTo?: string | null; now?: number } = {}): Promise<RecentActivity> {
  const cursor = upTo ?? (await cursorOf(pool));
  const from = Math.floor(now / 1000) - WINDOW_S;
  const [series, feed] = await Promise.all([
    pool.query<{ second: string; clicks: number; conversions: number }>(
      `SELECT sec::text AS second, sum(clicks)::int AS clicks, sum(conv)::int AS conversions FROM (
         SELECT (data->>'second')::bigint AS sec, (data->>'clicks')::int AS clicks, 0 AS conv
           FROM live_events WHERE kind = 'clicks' AND "createdAt" >= to_timestamp($2) - interval '5 seconds' AND id <= $1
         UNION ALL
         SELECT floor(extract(epoch FROM "createdAt"))::bigint, 0, 1
           FROM live_events WHERE kind = 'postback' AND data->>'reasonCode' = 'created' AND "createdAt" >= to_timestamp($2) AND id <= $1
       ) s WHERE sec >= $2 GROUP BY sec ORDER BY sec`,
      [cursor, from],
    ),
    pool.query<LiveRow>(
      `SELECT id::text AS id, kind, "affiliateId", "merchantId", data, (extract(epoch FROM "createdAt") * 1000)::float8 AS at
         FROM live_events WHERE kind IN ('postback', 'fraud.flag') AND id <= $1 AND "createdAt" >= to_timestamp($2)
        ORDER BY live_events.id DESC LIMIT 200`,
      [cursor, from],
    ),
  ]);
  return {
    cursor,
    series: series.rows.map((r) => ({ second: Number(r.second), clicks: r.clicks, conversions: r.conversions })),
    feed: feed.rows.reverse().map((row) => viewFor({ role: "MANAGER" }, row)),
  };
}

export interface AffiliateToday {
  /** Start of the day (UTC) the figures count from. */
  since: Date;
  clicks: number;
  conversions: number;
  /** Commission earned today by currency (reversed ones left out), minor units. */
  commission: { currency: string; amountMinor: bigint }[];
}

export async function affiliateToday(pool: pg.Pool, affiliateId: string): Promise<AffiliateToday> {
  const [day, clicks, conversions, commission] = await Promise.all([
    pool.query<{ since: Date }>(`SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS since`),
    pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM clicks WHERE "affiliateId" = $1 AND "createdAt" >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
      [affiliateId],
    ),
    pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversions WHERE "affiliateId" = $1 AND "createdAt" >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
      [affiliateId],
    ),
    pool.query<{ currency: string; amount: string }>(
      `SELECT currency, sum("amountMinor")::text AS amount FROM commissions
        WHERE "affiliateId" = $1 AND kind = 'COMMISSION' AND status <> 'REVERSED'
          AND "createdAt" >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
        GROUP BY currency ORDER BY currency`,
      [affiliateId],
    ),
  ]);
  return {
    since: day.rows[0]!.since,
    clicks: clicks.rows[0]?.n ?? 0,
    conversions: conversions.rows[0]?.n ?? 0,
    commission: commission.rows.map((r) => ({ currency: r.currency, amountMinor: BigInt(r.amount) })),
  };
}
