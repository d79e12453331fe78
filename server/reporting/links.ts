// Clicks (by kind) and conversions per link over the last N days, from the per-(link, day) rollups: one grouped
// query for a page of links or for one affiliate's links, days × links rows at most.
import { getPool } from "../db";
import { dayKey, periodStart } from "./period";
import { rollupFrom } from "./rollups";

export interface ClickCounts {
  total: number;
  billable: number;
  bots: number;
  repeats: number;
}

export type LinkScope = { linkIds: number[] } | { affiliateId: string };

function scopeFilter(scope: LinkScope): [string, unknown] {
  return "linkIds" in scope ? [`"linkId" = ANY($1::int[])`, scope.linkIds] : [`"affiliateId" = $1`, scope.affiliateId];
}

export async function clickCounts(scope: LinkScope, days = 30, now = new Date()): Promise<Map<number, ClickCounts>> {
  if ("linkIds" in scope && scope.linkIds.length === 0) return new Map();
  const [filter, value] = scopeFilter(scope);
  const { rows } = await getPool().query<{ linkId: number } & ClickCounts>(
    `SELECT "linkId", sum(n)::int AS total, sum(billable)::int AS billable, sum(bots)::int AS bots, sum(repeats)::int AS repeats
       FROM ${rollupFrom("rollup_link_day_clicks")} t WHERE ${filter} AND day >= $2::date GROUP BY "linkId"`,
    [value, dayKey(periodStart(days, now))],
  );
  return new Map(rows.map(({ linkId, ...counts }) => [linkId, counts]));
}

export async function conversionCounts(scope: LinkScope, days = 30, now = new Date()): Promise<Map<number, number>> {
  if ("linkIds" in scope && scope.linkIds.length === 0) return new Map();
  const [filter, value] = scopeFilter(scope);
  const { rows } = await getPool().query<{ linkId: number; n: number }>(
    `SELECT "linkId", sum(n)::int AS n FROM ${rollupFrom("rollup_link_day_conversions")} t WHERE ${filter} AND day >= $2::date GROUP BY "linkId"`,
    [value, dayKey(periodStart(days, now))],
  );
  return new Map(rows.map((r) => [r.linkId, r.n]));
}
