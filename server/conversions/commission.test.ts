import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_MINOR } from "../money/amount";
import { divHalfEven } from "../money/rounding";
import { formatBps } from "../money";
import { type CommissionInput, type FxQuote, FX_MAX_AGE_DAYS, computeCommission } from "./commission";

const revshare = (bps: number, currency = "EUR") => ({ payoutModel: "REVSHARE" as const, cpaAmountMinor: null, revshareBps: bps, currency });
const cpa = (amount: number, currency = "EUR") => ({ payoutModel: "CPA" as const, cpaAmountMinor: amount, revshareBps: null, currency });

function input(over: Partial<CommissionInput>): CommissionInput {
  return { offer: revshare(1500), tiers: [], override: null, conversionNumber: 1, sale: { amountMinor: 4990, currency: "EUR" }, fx: null, saleDay: "2026-11-21", ...over };
}

function amountOf(result: ReturnType<typeof computeCommission>): number {
  if (!result.ok) throw new Error(`expected a commission, got ${result.code}: ${result.message}`);
  return result.amountMinor;
}

describe("computeCommission", () => {
  it("pays a flat CPA in the offer's currency, whatever the sale's currency (no FX needed)", () => {
    const result = computeCommission(input({ offer: cpa(1200), sale: { amountMinor: 5000, currency: "JPY" } }));
    expect(result).toEqual({ ok: true, amountMinor: 1200, currency: "EUR", calculation: "flat 12.00 EUR per conversion", fxRateId: null });
  });

  it("pays basis points of the sale, rounded half-even, and explains it", () => {
    // 15% of 49.90 = 7.485 → 7.48 (tie to even); 15% of 49.70 = 7.455 → 7.46
    expect(computeCommission(input({}))).toEqual({ ok: true, amountMinor: 748, currency: "EUR", calculation: "15% of 49.90 EUR = 7.48 EUR", fxRateId: null });
    expect(amountOf(computeCommission(input({ sale: { amountMinor: 4970, currency: "EUR" } })))).toBe(746);
    expect(amountOf(computeCommission(input({ offer: revshare(1250), sale: { amountMinor: 1, currency: "EUR" } })))).toBe(0);
  });

  it("applies the highest tier reached (this conversion included), and an override over everything", () => {
    const tiers = [
      { minConversions: 10, cpaAmountMinor: null, revshareBps: 2000 },
      { minConversions: 50, cpaAmountMinor: null, revshareBps: 2500 },
    ];
    const sale = { amountMinor: 10_000, currency: "EUR" };
    expect(amountOf(computeCommission(input({ tiers, sale, conversionNumber: 9 })))).toBe(1500);
    const tier1 = computeCommission(input({ tiers, sale, conversionNumber: 10 }));
    expect(tier1).toMatchObject({ ok: true, amountMinor: 2000, calculation: "20% of 100.00 EUR (tier from 10 conversions this month) = 20.00 EUR" });
    expect(amountOf(computeCommission(input({ tiers, sale, conversionNumber: 51 })))).toBe(2500);
    const overridden = computeCommission(input({ tiers, sale, conversionNumber: 51, override: { cpaAmountMinor: null, revshareBps: 3000 } }));
    expect(overridden).toMatchObject({ ok: true, amountMinor: 3000, calculation: "30% of 100.00 EUR (affiliate override) = 30.00 EUR" });
    // An override for the other payout model does not apply to this offer.
    expect(amountOf(computeCommission(input({ sale, override: { cpaAmountMinor: 999, revshareBps: null } })))).toBe(1500);
  });

  it("refuses an offer without a rate for its model", () => {
    expect(computeCommission(input({ offer: { ...revshare(0), revshareBps: null } }))).toMatchObject({ ok: false, code: "offer_misconfigured" });
  });

  it("refuses a commission larger than the column can hold", () => {
    const huge = computeCommission(input({ offer: revshare(10_000, "JPY"), sale: { amountMinor: MAX_MINOR, currency: "USD" }, fx: quote("USD", "JPY", "150.0000000000") }));
    expect(huge).toMatchObject({ ok: false, code: "commission_overflow" });
  });
});

function quote(base: string, quoteCurrency: string, rate: string, asOf = "2026-11-20"): FxQuote {
  return { id: `fx-${base}-${quoteCurrency}`, base, quote: quoteCurrency, rate, asOf };
}

describe("formatBps", () => {
  it("writes basis points exactly", () => {
    expect([10_000, 1500, 1250, 1205, 100, 10, 1, 0, -250].map((bps) => formatBps(bps))).toEqual(["100%", "15%", "12.5%", "12.05%", "1%", "0.1%", "0.01%", "0%", "-2.5%"]);
  });
});

describe("computeCommission with FX", () => {
  it("converts exactly with the stored rate, rounds once, and records the rate", () => {
    // 10% of 5000 JPY at 0.0061 EUR/JPY: 5000 × 0.0061 = 30.50 EUR; 10% = 3.05 EUR.
    const result = computeCommission(input({ offer: revshare(1000), sale: { amountMinor: 5000, currency: "JPY" }, fx: quote("JPY", "EUR", "0.0061000000") }));
    expect(result).toEqual({
      ok: true,
      amountMinor: 305,
      currency: "EUR",
      calculation: "10% of 5000 JPY → 30.50 EUR at 1 JPY = 0.0061 EUR (rate of 2026-11-20) = 3.05 EUR",
      fxRateId: "fx-JPY-EUR",
    });
  });

  it("uses a rate stored the other way round as its exact inverse", () => {
    // 1 EUR = 1.0850 USD stored; a USD sale of 108.50 is exactly 100.00 EUR; 15% = 15.00 EUR.
    const result = computeCommission(input({ sale: { amountMinor: 10_850, currency: "USD" }, fx: quote("EUR", "USD", "1.0850000000") }));
    expect(result).toMatchObject({ ok: true, amountMinor: 1500, fxRateId: "fx-EUR-USD" });
    expect((result as { calculation: string }).calculation).toContain("at 1 USD = 1/1.085 EUR");
  });

  it("handles exponents on both sides (KWD has 3 decimals, JPY none)", () => {
    // 1 KWD = 490 JPY; 1.250 KWD = 612.5 JPY; 100% = 612.5 → 612 (tie to even).
    const result = computeCommission(input({ offer: revshare(10_000, "JPY"), sale: { amountMinor: 1250, currency: "KWD" }, fx: quote("KWD", "JPY", "490") }));
    expect(amountOf(result)).toBe(612);
  });

  it("refuses when no rate applies", () => {
    expect(computeCommission(input({ sale: { amountMinor: 100, currency: "USD" } }))).toMatchObject({ ok: false, code: "fx_rate_missing" });
    expect(computeCommission(input({ sale: { amountMinor: 100, currency: "USD" }, fx: quote("GBP", "EUR", "1.15") }))).toMatchObject({ ok: false, code: "fx_rate_missing" });
    expect(computeCommission(input({ sale: { amountMinor: 100, currency: "USD" }, fx: quote("USD", "EUR", "0") }))).toMatchObject({ ok: false, code: "fx_rate_missing" });
  });

  it(`uses a rate up to ${FX_MAX_AGE_DAYS} days older than the sale, and refuses an older one as stale`, () => {
    const sale = { amountMinor: 10_850, currency: "USD" };
    const edge = computeCommission(input({ sale, saleDay: "2026-11-27", fx: quote("EUR", "USD", "1.0850000000", "2026-11-20") }));
    expect(edge).toMatchObject({ ok: true, amountMinor: 1500 });
    const stale = computeCommission(input({ sale, saleDay: "2026-11-28", fx: quote("EUR", "USD", "1.0850000000", "2026-11-20") }));
    expect(stale).toEqual({
      ok: false,
      code: "fx_rate_stale",
      message: "The latest stored USD→EUR exchange rate is from 2026-11-20, 8 days before the sale; rates older than 7 days are not used. The program manager must add a current rate.",
    });
    // Across a month and a year boundary, counted in whole UTC days.
    expect(computeCommission(input({ sale, saleDay: "2027-01-02", fx: quote("EUR", "USD", "1.085", "2026-12-26") }))).toMatchObject({ ok: true });
  });

  it("equals the exact product rounded once, for any amount and rate (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.bigInt({ min: 1n, max: 10n ** 14n }), // rate × 10^10, as NUMERIC(20,10) stores it
        (amount, bps, rateScaled) => {
          const rate = `${rateScaled / 10n ** 10n}.${(rateScaled % 10n ** 10n).toString().padStart(10, "0")}`;
          const result = computeCommission(input({ offer: revshare(bps, "EUR"), sale: { amountMinor: amount, currency: "JPY" }, fx: quote("JPY", "EUR", rate) }));
          // JPY has 0 decimals, EUR 2: commission = amount × rate × 100 × bps / 10 000, exactly, then half-even.
          const exact = divHalfEven(BigInt(amount) * rateScaled * 100n * BigInt(bps), 10n ** 10n * 10_000n);
          if (exact > BigInt(MAX_MINOR)) expect(result).toMatchObject({ ok: false, code: "commission_overflow" });
          else expect(amountOf(result)).toBe(Number(exact));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("revenue share totals (properties)", () => {
  const bpsArb = fc.integer({ min: 0, max: 10_000 });

  it("is within half a cent of the exact share, and never exceeds the sale", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MINOR }), bpsArb, (amount, bps) => {
        const paid = BigInt(amountOf(computeCommission(input({ offer: revshare(bps), sale: { amountMinor: amount, currency: "EUR" } }))));
        const error = paid * 10_000n - BigInt(amount) * BigInt(bps); // in 1/10 000 of a cent
        expect(error <= 5_000n && error >= -5_000n).toBe(true);
        expect(paid <= BigInt(amount)).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it("splitting a sale into k parts changes the total commission by at most (k+1)/2 cents", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000 }), { minLength: 1, maxLength: 20 }), bpsArb, (parts, bps) => {
        const pay = (amountMinor: number) => amountOf(computeCommission(input({ offer: revshare(bps), sale: { amountMinor, currency: "EUR" } })));
        const whole = pay(parts.reduce((a, b) => a + b, 0));
        const split = parts.reduce((sum, part) => sum + pay(part), 0);
        expect(Math.abs(split - whole)).toBeLessThanOrEqual(Math.floor((parts.length + 1) / 2));
      }),
      { numRuns: 2_000 },
    );
  });

  it("never pays less for a bigger sale (monotonic)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MINOR - 1 }), fc.integer({ min: 1, max: 1_000 }), bpsArb, (amount, more, bps) => {
        const pay = (amountMinor: number) => amountOf(computeCommission(input({ offer: revshare(bps), sale: { amountMinor, currency: "EUR" } })));
        expect(pay(Math.min(MAX_MINOR, amount + more))).toBeGreaterThanOrEqual(pay(amount));
      }),
    );
  });
});
