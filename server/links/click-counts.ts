// Click counts per link over the last N days, straight from `clicks` through its (linkId, createdAt) or
// (affiliateId, createdAt) index: one grouped query for a page of links, no per-link queries.
import { getPool } from "../db";
import { periodStart } from "../reporting/period";

export interface ClickCounts {
  total: number;
  billable: number;
  bots: number;
  repeats: number;
}

export async function clickCounts(scope: { linkIds: number[] } | { affiliateId: string }, days = 30, now = new Date()): Promise<Map<number, ClickCounts>> {
  if ("linkIds" in scope && scope.linkIds.length === 0) return new Map();
  const [filter, value] = "linkIds" in scope ? [`"linkId" = ANY($1::int[])`, scope.linkIds] : [`"affiliateId" = $1`, scope.affiliateId];
  const { rows } = await getPool().query<{ linkId: number } & ClickCounts>(
    `SELECT "linkId", count(*)::int AS total, (count(*) FILTER (WHERE billable))::int AS billable,
            (count(*) FILTER (WHERE "isBot"))::int AS bots, (count(*) FILTER (WHERE "isRepeat"))::int AS repeats
       FROM clicks WHERE ${filter} AND "createdAt" >= $2 GROUP BY "linkId"`,
    [value, periodStart(days, now)],
  );
  return new Map(rows.map(({ linkId, ...counts }) => [linkId, counts]));
}
