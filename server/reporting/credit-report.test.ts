// The credit report over real rows: conversions recorded by postbacks with touch paths, read through the manager's
// procedure. The sales happen on days of their own (February 2024), so the period holds only this file's rows.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { callerFor, clickIdFor, createAffiliate, createLink, createManager, createProgram, unique } from "../testing/fixtures";
import { creditReport } from "./credit-report";
import { DAY_MS } from "../conversions/attribution";
import { type PostbackClient, startPostbackServer } from "../conversions/testing";

const now = new Date("2024-02-11T10:00:00.000Z");
const to = new Date("2024-02-12T00:00:00.000Z");
let api: PostbackClient;
let manager: ReturnType<typeof callerFor>;
let names: { a: string; b: string; c: string };

beforeAll(async () => {
  api = await startPostbackServer({ now: () => now });
  manager = callerFor(await createManager());
  const { merchant, offer, affiliate: a, link: aLink } = await createProgram({ offer: { payoutModel: "CPA", cpaAmountMinor: 1000, currency: "CHF" } });
  const [b, c] = await Promise.all([createAffiliate(), createAffiliate()]);
  const [bLink, cLink] = await Promise.all([createLink({ affiliateId: b.id, offerId: offer.id }), createLink({ affiliateId: c.id, offerId: offer.id })]);
  names = { a: a.name, b: b.name, c: c.name };
  const click = (linkId: number, daysAgo: number) => clickIdFor(linkId, new Date(now.getTime() - daysAgo * DAY_MS));
  const sell = async (paidLink: number, touches: string[], amount: string, extra: Record<string, string> = {}) => {
    const res = await api.get({ token: merchant.postbackToken, click_id: click(paidLink, 0.1), txn_id: unique("credit"), amount, currency: "CHF", touches: touches.join(","), ...extra });
    expect(res.status).toBe(200);
    return res;
  };
  await sell(aLink.id, [click(bLink.id, 3), click(cLink.id, 2)], "100.00"); // B, C, A
  await sell(bLink.id, [], "50.00"); // B
  await sell(aLink.id, [click(cLink.id, 1)], "30.00"); // C, A
  await sell(aLink.id, [click(bLink.id, 4), click(cLink.id, 3)], "20.00"); // B, C, A again
  const refundedTxn = unique("refunded");
  await sell(cLink.id, [], "999.00", { txn_id: refundedTxn });
  expect((await api.get({ token: merchant.postbackToken, txn_id: refundedTxn, status: "refunded" })).status).toBe(200); // not counted
  // Another currency in the same period.
  const eur = await createProgram({ offer: { currency: "EUR" } });
  expect((await api.get({ token: eur.merchant.postbackToken, click_id: clickIdFor(eur.link.id, now), txn_id: unique("credit") })).status).toBe(200);
});
afterAll(() => api.close());

const byName = (rows: { name: string; paid: bigint; first_click: bigint; linear: bigint; position_based: bigint }[]) =>
  Object.fromEntries(rows.map((r) => [r.name, [r.paid, r.first_click, r.linear, r.position_based]]));

describe("credit report", () => {
  it("splits each path's commission exactly under every model; last click is what was paid", async () => {
    const report = await manager.conversions.credit({ days: 2, to, measure: "commission" });
    expect(report).toMatchObject({ currency: "CHF", currencies: ["CHF", "EUR"], conversions: 4, multiTouch: 3, total: 4000n });
    // Paths B·C·A (twice, 20.00 together), B, C·A, 10.00 each. Identical paths are split once, over their sum:
    // linear 20.00 / 3 = 6.67 + 6.67 + 6.66 (the odd cent to the earlier touches); position-based 40/20/40.
    expect(byName(report.rows)).toEqual({
      [names.a]: [3000n, 0n, 666n + 500n, 800n + 500n],
      [names.b]: [1000n, 3000n, 667n + 1000n, 800n + 1000n],
      [names.c]: [0n, 1000n, 667n + 500n, 400n + 500n],
    });
    expect(report.rows.map((r) => r.name)).toEqual([names.a, names.b, names.c]); // most paid first
    for (const column of ["paid", "first_click", "linear", "position_based"] as const) {
      expect(report.rows.reduce((sum, r) => sum + r[column], 0n), column).toBe(report.total);
    }
  });

  it("reports revenue too, in the chosen currency", async () => {
    const revenue = await manager.conversions.credit({ days: 2, to, measure: "revenue", currency: "CHF" });
    expect(revenue.total).toBe(20_000n);
    expect(byName(revenue.rows)).toEqual({
      [names.a]: [15_000n, 0n, 4000n + 1500n, 4800n + 1500n],
      [names.b]: [5000n, 17_000n, 4000n + 5000n, 4800n + 5000n],
      [names.c]: [0n, 3000n, 4000n + 1500n, 2400n + 1500n],
    });
    const eur = await manager.conversions.credit({ days: 2, to, measure: "commission", currency: "EUR" });
    expect(eur).toMatchObject({ currency: "EUR", conversions: 1, multiTouch: 0, total: 1000n });
  });

  it("reads whole weeks from the weekly rollup and the edge days from the daily one: the same report either way", async () => {
    const days = await manager.conversions.credit({ days: 2, to, measure: "commission" }); // edge days only
    // 2024-02-05 is a Monday: 7 days to the 12th are one whole week; 9 days to the 14th a week and two edge days;
    // 30 days four whole weeks and two edge days.
    for (const period of [{ days: 7, to }, { days: 9, to: new Date("2024-02-14T00:00:00Z") }, { days: 30, to }]) {
      const report = await manager.conversions.credit({ ...period, measure: "commission" });
      expect({ ...report, from: null, to: null }, JSON.stringify(period)).toEqual({ ...days, from: null, to: null });
    }
  });

  it("lists the most paid affiliates and sums the others in one row; every column still adds up", async () => {
    const report = await creditReport(db, { days: 2, to, measure: "commission", currency: "CHF" }, { maxRows: 1 });
    expect(report.rows.map((r) => r.name)).toEqual([names.a]);
    expect(report.others).toEqual({ affiliates: 2, paid: 1000n, first_click: 4000n, linear: 667n + 1000n + 667n + 500n, position_based: 800n + 1000n + 400n + 500n });
    for (const column of ["paid", "first_click", "linear", "position_based"] as const) {
      expect(report.rows[0]![column] + report.others![column], column).toBe(report.total);
    }
    expect((await creditReport(db, { days: 2, to, measure: "commission", currency: "CHF" })).others).toBeNull();
  });

  it("is empty for a period without conversions, and refuses a period beyond a year", async () => {
    const empty = await manager.conversions.credit({ days: 1, to: new Date("1999-01-01T00:00:00Z"), measure: "commission" });
    expect(empty).toMatchObject({ currency: null, currencies: [], conversions: 0, total: 0n, rows: [] });
    await expect(manager.conversions.credit({ days: 400, measure: "commission" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(manager.conversions.credit({ days: 30, measure: "commission", currency: "eur" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
