// Rates through the managers' procedures, then through real postbacks: exchange rates (validated, audited, used in
// either direction), volume tiers and per-affiliate overrides (validated, audited, paid).
import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError, z } from "zod";
import { db } from "../db";
import { type PostbackClient, startPostbackServer } from "../conversions/testing";
import { callerFor, clickIdFor, createAffiliate, createLink, createManager, createProgram, unique } from "../testing/fixtures";

let api: PostbackClient;
let manager: Awaited<ReturnType<typeof createManager>>;
let rates: ReturnType<typeof callerFor>["rates"];

beforeAll(async () => {
  api = await startPostbackServer();
  manager = await createManager();
  rates = callerFor(manager).rates;
});
afterAll(() => api.close());

const DAY_MS = 86_400_000;
const day = (offset = 0) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);

async function paid(program: Awaited<ReturnType<typeof createProgram>>, linkId = program.link.id, extra: Record<string, string> = {}) {
  const res = await api.get({ token: program.merchant.postbackToken, click_id: clickIdFor(linkId), txn_id: unique("rate"), ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (await db.commission.findFirstOrThrow({ where: { conversionId: res.body.conversion_id } })).amountMinor;
}

describe("exchange rates", () => {
  it("adds a rate exactly, audits it, lists it with its age, and postbacks convert with it (inverted)", async () => {
    const added = await rates.addFx({ base: "eur", quote: "NOK", rate: " 11.7250 ", asOf: day() });
    expect(added).toMatchObject({ base: "EUR", quote: "NOK", rate: "11.725", asOf: day() });
    const stored = await db.fxRate.findUniqueOrThrow({ where: { id: added.id } });
    expect(stored.rate.toFixed(10)).toBe("11.7250000000");
    expect(await db.auditLog.findFirst({ where: { entityId: added.id } })).toMatchObject({ actorId: manager.id, action: "fx_rate.created", data: { base: "EUR", quote: "NOK", rate: "11.7250", asOf: day() } });

    const old = await rates.addFx({ base: "EUR", quote: "DKK", rate: "7.4600", asOf: day(-10) });
    const list = await rates.fx();
    expect(list.maxAgeDays).toBe(7);
    expect(list.pairs).toEqual(expect.arrayContaining([
      { base: "EUR", quote: "NOK", rate: "11.725", asOf: day(), ageDays: 0, stale: false },
      { base: "EUR", quote: "DKK", rate: "7.46", asOf: day(-10), ageDays: 10, stale: true },
    ]));
    expect(list.recent.map((r) => r.id)).toEqual(expect.arrayContaining([added.id, old.id]));

    // 1172.50 NOK at 1 NOK = 1/11.725 EUR = 100.00 EUR; 10% = 10.00 EUR.
    const program = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 1000, currency: "EUR" } });
    expect(await paid(program, program.link.id, { amount: "1172.50", currency: "NOK" })).toBe(1000);
    // The old DKK rate is past the limit: refused, with its own code.
    const stale = await api.get({ token: program.merchant.postbackToken, click_id: clickIdFor(program.link.id), txn_id: unique("rate"), amount: "10.00", currency: "DKK" });
    expect(stale).toMatchObject({ status: 422, body: { error: { code: "fx_rate_stale" } } });
  });

  it("refuses bad input field by field, and a second rate for a pair and day in either direction", async () => {
    const refused = async (input: Parameters<typeof rates.addFx>[0], field: string, message: string | RegExp) => {
      const error = await rates.addFx(input).then(() => null, (e: TRPCError) => e);
      expect(error, JSON.stringify(input)).toMatchObject({ code: "BAD_REQUEST" });
      expect(error!.cause).toBeInstanceOf(ZodError);
      const fields = z.flattenError(error!.cause as ZodError).fieldErrors as Record<string, string[]>;
      expect(fields[field]?.join(" "), JSON.stringify(fields)).toMatch(message);
    };
    await refused({ base: "EUR", quote: "EUR", rate: "1", asOf: day() }, "quote", "Pick two different currencies");
    await refused({ base: "EUR", quote: "XBT", rate: "1", asOf: day() }, "quote", /^One of USD, EUR/);
    await refused({ base: "EUR", quote: "PLN", rate: "4,25", asOf: day() }, "rate", "A decimal with a dot");
    await refused({ base: "EUR", quote: "PLN", rate: "1.12345678901", asOf: day() }, "rate", "A decimal with a dot");
    await refused({ base: "EUR", quote: "PLN", rate: "0.0000", asOf: day() }, "rate", "The rate must be more than 0");
    await refused({ base: "EUR", quote: "PLN", rate: "-4.25", asOf: day() }, "rate", "A decimal with a dot");
    await refused({ base: "EUR", quote: "PLN", rate: "4.25", asOf: day(2) }, "asOf", "The date is in the future");
    await refused({ base: "EUR", quote: "PLN", rate: "4.25", asOf: "2026-02-30" }, "asOf", "A date");
    expect(await db.fxRate.count({ where: { OR: [{ base: "EUR", quote: "PLN" }, { base: "EUR", quote: "EUR" }] } })).toBe(0);
    expect(await db.auditLog.count({ where: { actorId: manager.id, action: "fx_rate.created", data: { path: ["quote"], equals: "PLN" } } })).toBe(0);

    const asOf = day(-3);
    await rates.addFx({ base: "EUR", quote: "CZK", rate: "25.30", asOf });
    await expect(rates.addFx({ base: "EUR", quote: "CZK", rate: "25.31", asOf })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining(`A EUR/CZK rate for ${asOf} is already stored (25.3)`) });
    await expect(rates.addFx({ base: "CZK", quote: "EUR", rate: "0.0395", asOf })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await db.fxRate.count({ where: { OR: [{ base: "EUR", quote: "CZK" }, { base: "CZK", quote: "EUR" }] } })).toBe(1);
  });
});

describe("volume tiers", () => {
  it("replaces an offer's tiers (audited) and postbacks pay the tier reached this month", async () => {
    const program = await createProgram({ offer: { payoutModel: "CPA", cpaAmountMinor: 500 } });
    const set = await rates.setTiers({ offerId: program.offer.id, tiers: [{ minConversions: 5, rate: "9.50" }, { minConversions: 3, rate: "8" }] });
    expect(set.tiers).toEqual([
      { minConversions: 3, cpaAmountMinor: 800, revshareBps: null, rate: "€8.00 per conversion" },
      { minConversions: 5, cpaAmountMinor: 950, revshareBps: null, rate: "€9.50 per conversion" },
    ]);
    const listed = (await rates.offers()).find((o) => o.id === program.offer.id)!;
    expect(listed).toMatchObject({ rate: "€5.00 per conversion", tiers: [{ minConversions: 3 }, { minConversions: 5 }], overrides: [] });

    const amounts = [];
    for (let i = 0; i < 5; i++) amounts.push(await paid(program));
    expect(amounts).toEqual([500, 500, 800, 800, 950]);

    await rates.setTiers({ offerId: program.offer.id, tiers: [] });
    expect(await db.commissionTier.count({ where: { offerId: program.offer.id } })).toBe(0);
    const audit = await db.auditLog.findMany({ where: { entityId: program.offer.id, action: "offer.tiers_set" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.data)).toEqual([
      { before: [], after: [{ minConversions: 3, cpaAmountMinor: 800, revshareBps: null }, { minConversions: 5, cpaAmountMinor: 950, revshareBps: null }] },
      { before: [{ minConversions: 3, cpaAmountMinor: 800, revshareBps: null }, { minConversions: 5, cpaAmountMinor: 950, revshareBps: null }], after: [] },
    ]);
  });

  it("refuses invalid tiers with a clear message and changes nothing", async () => {
    const cpa = await createProgram({ offer: { payoutModel: "CPA", tiers: [{ minConversions: 10, cpaAmountMinor: 1500 }] } });
    const revshare = await createProgram({ offer: { payoutModel: "REVSHARE" } });
    const cases: Array<[Parameters<typeof rates.setTiers>[0], string | RegExp]> = [
      [{ offerId: cpa.offer.id, tiers: [{ minConversions: 4, rate: "8" }, { minConversions: 4, rate: "9" }] }, "Two tiers start at 4 conversions"],
      [{ offerId: cpa.offer.id, tiers: [{ minConversions: 1, rate: "8" }] }, "From 2 conversions or more"],
      [{ offerId: cpa.offer.id, tiers: [{ minConversions: 2.5, rate: "8" }] }, "A whole number of conversions"],
      [{ offerId: cpa.offer.id, tiers: [{ minConversions: 3, rate: "8.001" }] }, "Tier from 3 conversions: EUR amounts have at most 2 decimals."],
      [{ offerId: cpa.offer.id, tiers: [{ minConversions: 3, rate: "" }] }, "Enter a rate"],
      [{ offerId: cpa.offer.id, tiers: Array.from({ length: 11 }, (_, i) => ({ minConversions: i + 2, rate: "1" })) }, "At most 10 tiers"],
      [{ offerId: revshare.offer.id, tiers: [{ minConversions: 3, rate: "150" }] }, "Tier from 3 conversions: a percentage from 0 to 100"],
    ];
    for (const [input, message] of cases) {
      await expect(rates.setTiers(input), JSON.stringify(input)).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(message) });
    }
    await expect(rates.setTiers({ offerId: "no-such-offer", tiers: [] })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.commissionTier.findMany({ where: { offerId: cpa.offer.id }, select: { minConversions: true, cpaAmountMinor: true } })).toEqual([{ minConversions: 10, cpaAmountMinor: 1500 }]);
    expect(await db.auditLog.count({ where: { entityId: { in: [cpa.offer.id, revshare.offer.id] } } })).toBe(0);

    const ok = await rates.setTiers({ offerId: revshare.offer.id, tiers: [{ minConversions: 3, rate: "12.5" }] });
    expect(ok.tiers).toEqual([{ minConversions: 3, cpaAmountMinor: null, revshareBps: 1250, rate: "12.5% of the sale" }]);
  });
});

describe("per-affiliate overrides", () => {
  it("pays an affiliate's override over the tiers and the offer's rate, through the real postback path", async () => {
    const program = await createProgram({ offer: { payoutModel: "CPA", cpaAmountMinor: 1000, tiers: [{ minConversions: 2, cpaAmountMinor: 1200 }] } });
    const other = await createAffiliate();
    const otherLink = await createLink({ affiliateId: other.id, offerId: program.offer.id });

    const set = await rates.setOverride({ offerId: program.offer.id, affiliateId: program.affiliate.id, rate: "25.00" });
    expect(set).toMatchObject({ cpaAmountMinor: 2500, revshareBps: null, rate: "€25.00 per conversion", affiliate: { id: program.affiliate.id } });
    expect([await paid(program), await paid(program)]).toEqual([2500, 2500]);
    expect([await paid(program, otherLink.id), await paid(program, otherLink.id)]).toEqual([1000, 1200]); // no override: tiers apply
    const commission = await db.commission.findFirstOrThrow({ where: { affiliateId: program.affiliate.id }, orderBy: { createdAt: "desc" } });
    expect(commission.calculation).toBe("flat 25.00 EUR per conversion (affiliate override)");

    await rates.setOverride({ offerId: program.offer.id, affiliateId: program.affiliate.id, rate: "30" });
    expect(await paid(program)).toBe(3000);
    await rates.removeOverride({ offerId: program.offer.id, affiliateId: program.affiliate.id });
    expect(await paid(program)).toBe(1200); // the tier again (their 4th conversion this month)
    await expect(rates.removeOverride({ offerId: program.offer.id, affiliateId: program.affiliate.id })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const audit = await db.auditLog.findMany({ where: { entityId: program.offer.id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.actorId, a.data])).toEqual([
      ["offer.override_set", manager.id, { affiliateId: program.affiliate.id, before: null, after: { cpaAmountMinor: 2500, revshareBps: null } }],
      ["offer.override_set", manager.id, { affiliateId: program.affiliate.id, before: { cpaAmountMinor: 2500, revshareBps: null }, after: { cpaAmountMinor: 3000, revshareBps: null } }],
      ["offer.override_removed", manager.id, { affiliateId: program.affiliate.id, before: { cpaAmountMinor: 3000, revshareBps: null } }],
    ]);
  });

  it("takes a percentage on revenue-share offers, and refuses bad rates and unknown affiliates", async () => {
    const program = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 1000 } });
    await rates.setOverride({ offerId: program.offer.id, affiliateId: program.affiliate.id, rate: "22.5" });
    expect(await paid(program, program.link.id, { amount: "80.00" })).toBe(1800);

    await expect(rates.setOverride({ offerId: program.offer.id, affiliateId: program.affiliate.id, rate: "22.555" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Rate: a percentage with a dot and at most two decimals, e.g. 12.5" });
    await expect(rates.setOverride({ offerId: program.offer.id, affiliateId: "no-such-affiliate", rate: "5" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(rates.setOverride({ offerId: "no-such-offer", affiliateId: program.affiliate.id, rate: "5" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await db.affiliateOfferOverride.findMany({ where: { offerId: program.offer.id }, select: { revshareBps: true } })).toEqual([{ revshareBps: 2250 }]);
  });
});
