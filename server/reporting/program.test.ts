// The program overview from its rollups, on a month of its own (June 2022: no other test file writes there): the
// daily series, commission totals by currency, and the top affiliates — whose sums come from whole weeks and edge
// days — agree with the raw rows, whichever weekday the period starts on.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { createConversion, createLink, createProgram } from "../testing/fixtures";
import { programOverview } from "./program";

const DAY = 86_400_000;
const base = Date.UTC(2022, 5, 1, 12); // 2022-06-01, a Wednesday
let links: Awaited<ReturnType<typeof createLink>>[] = [];

beforeAll(async () => {
  const program = await createProgram({ offer: { currency: "CHF" } });
  links = [program.link];
  for (let i = 0; i < 6; i++) links.push(await createLink({ offerId: program.offer.id }));
  // Affiliate k converts on days spread over 40 days, more the higher k: edges and whole weeks both matter.
  for (const [k, link] of links.entries()) {
    for (let d = 0; d < 40; d += 7 - k) await createConversion(link, { at: new Date(base + d * DAY), commission: { amountMinor: 100 + k } });
  }
});

describe("program overview", () => {
  it.each([10, 17, 20, 23, 30])("matches the raw rows for the 30 days to June %i (periods starting on different weekdays)", async (dayOfMonth) => {
    const now = new Date(Date.UTC(2022, 5, dayOfMonth, 18));
    const overview = await programOverview({ days: 30, now });
    const since = overview.since;
    const until = new Date(Date.UTC(2022, 5, dayOfMonth + 1));
    const raw = await db.conversion.groupBy({ by: ["affiliateId"], where: { createdAt: { gte: since, lt: until } }, _count: { _all: true } });
    const expected = raw.map((r) => ({ id: r.affiliateId, conversions: r._count._all })).sort((a, b) => b.conversions - a.conversions || a.id.localeCompare(b.id)).slice(0, 5);
    expect(overview.topAffiliates.map(({ id, conversions }) => ({ id, conversions })).sort((a, b) => b.conversions - a.conversions || a.id.localeCompare(b.id))).toEqual(expected);
    expect(overview.conversions).toBe(raw.reduce((sum, r) => sum + r._count._all, 0));
    const commissions = await db.commission.aggregate({ where: { currency: "CHF", createdAt: { gte: since, lt: until }, status: { not: "REVERSED" } }, _sum: { amountMinor: true }, _count: { _all: true } });
    expect(overview.commissions.find((c) => c.currency === "CHF")).toEqual({ currency: "CHF", amountMinor: BigInt(commissions._sum.amountMinor ?? 0), count: commissions._count._all });
    expect(overview.daily).toHaveLength(30);
  });
});
