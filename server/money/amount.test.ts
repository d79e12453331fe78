import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currencyExponent, minorToDecimal } from ".";
import { MAX_MINOR, SUPPORTED_CURRENCIES, parseAmount, parsePercent } from "./amount";
import { divHalfEven, parseDecimal } from "./rounding";

describe("parseAmount", () => {
  it("moves the digits by the currency's exponent", () => {
    expect(parseAmount("49.90", "EUR")).toEqual({ ok: true, minor: 4990, currency: "EUR" });
    expect(parseAmount("49.9", "usd")).toEqual({ ok: true, minor: 4990, currency: "USD" });
    expect(parseAmount("5000", "JPY")).toEqual({ ok: true, minor: 5000, currency: "JPY" });
    expect(parseAmount("1.250", "KWD")).toEqual({ ok: true, minor: 1250, currency: "KWD" });
    expect(parseAmount("0.001", "BHD")).toEqual({ ok: true, minor: 1, currency: "BHD" });
    expect(parseAmount("0", "EUR")).toEqual({ ok: true, minor: 0, currency: "EUR" });
    expect(parseAmount("007.50", "EUR")).toEqual({ ok: true, minor: 750, currency: "EUR" });
  });

  it("accepts zeros beyond the exponent (no value is lost) and refuses other extra decimals", () => {
    expect(parseAmount("1500.00", "JPY")).toEqual({ ok: true, minor: 1500, currency: "JPY" });
    expect(parseAmount("49.9000", "EUR")).toEqual({ ok: true, minor: 4990, currency: "EUR" });
    expect(parseAmount("49.901", "EUR")).toMatchObject({ ok: false, code: "bad_amount", message: "EUR amounts have at most 2 decimals." });
    expect(parseAmount("1500.5", "JPY")).toMatchObject({ ok: false, code: "bad_amount", message: "JPY amounts have at most 0 decimals." });
    expect(parseAmount("1.2345", "KWD")).toMatchObject({ ok: false, code: "bad_amount" });
  });

  it("refuses signs, exponents, separators, junk and overflow with bad_amount", () => {
    for (const junk of ["-1.00", "+1", "1e3", "1E3", "1,50", "1 000", " 1", "1 ", "", ".5", "5.", "0x10", "NaN", "Infinity", "1.2.3", "١٢", "½"]) {
      expect(parseAmount(junk, "EUR"), junk).toMatchObject({ ok: false, code: "bad_amount" });
    }
    expect(parseAmount("21474836.47", "EUR")).toEqual({ ok: true, minor: MAX_MINOR, currency: "EUR" });
    expect(parseAmount("21474836.48", "EUR")).toMatchObject({ ok: false, code: "bad_amount", message: "amount is too large (at most 21474836.47 EUR)." });
    expect(parseAmount("9".repeat(10_000), "EUR")).toMatchObject({ ok: false, code: "bad_amount" });
  });

  it("refuses unknown currencies with unknown_currency", () => {
    for (const code of ["XXX", "EURO", "", "eu", "BTC", "constructor", "__proto__"]) {
      expect(parseAmount("1.00", code), code).toMatchObject({ ok: false, code: "unknown_currency" });
    }
  });

  it("agrees with the exponents the UI formats with (ISO 4217 via Intl)", () => {
    for (const [code, exponent] of Object.entries(SUPPORTED_CURRENCIES)) expect(currencyExponent(code), code).toBe(exponent);
  });

  it("round-trips every representable amount exactly (property)", () => {
    const currencies = Object.keys(SUPPORTED_CURRENCIES);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MINOR }), fc.constantFrom(...currencies), (minor, currency) => {
        const parsed = parseAmount(minorToDecimal(minor, currency), currency);
        expect(parsed).toEqual({ ok: true, minor, currency });
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("parsePercent", () => {
  it("moves the digits into basis points, exactly", () => {
    const cases: Array<[string, number]> = [["12.5", 1250], ["15", 1500], ["0.25", 25], ["0.01", 1], ["100", 10_000], ["0", 0], [" 7.50 ", 750]];
    for (const [text, bps] of cases) expect(parsePercent(text), text).toEqual({ ok: true, bps });
  });

  it("refuses more than two decimals, more than 100, signs and junk", () => {
    for (const junk of ["12.345", "100.01", "101", "-5", "1e2", "12,5", "", "%", "1000"]) {
      expect(parsePercent(junk).ok, junk).toBe(false);
    }
    expect(parsePercent("100.5")).toEqual({ ok: false, message: "a percentage from 0 to 100" });
  });
});

describe("divHalfEven", () => {
  it("rounds ties to the even neighbour and everything else to the nearest", () => {
    const cases: Array<[bigint, bigint, bigint]> = [
      [5n, 2n, 2n], // 2.5 → 2
      [7n, 2n, 4n], // 3.5 → 4
      [-5n, 2n, -2n],
      [-7n, 2n, -4n],
      [14n, 10n, 1n], // 1.4
      [16n, 10n, 2n], // 1.6
      [-16n, 10n, -2n],
      [15n, 10n, 2n], // 1.5 → 2
      [25n, 10n, 2n], // 2.5 → 2
      [0n, 7n, 0n],
      [5n, -2n, -2n],
    ];
    for (const [n, d, expected] of cases) expect(divHalfEven(n, d), `${n}/${d}`).toBe(expected);
    expect(() => divHalfEven(1n, 0n)).toThrow(RangeError);
  });

  it("is the nearest integer, ties to even, for any fraction (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: 1n, max: 10n ** 15n }), (n, d) => {
        const q = divHalfEven(n, d);
        const error = n - q * d; // the rounding error, times d
        const twice = 2n * (error < 0n ? -error : error);
        expect(twice <= d).toBe(true); // within half a unit
        if (twice === d) expect(q % 2n).toBe(0n); // an exact tie went to the even side
      }),
      { numRuns: 3_000 },
    );
  });

  it("is symmetric: rounding -x is -(rounding x) (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (n, d) => {
        expect(divHalfEven(-n, d)).toBe(-divHalfEven(n, d));
      }),
    );
  });
});

describe("parseDecimal", () => {
  it("reads NUMERIC text exactly and refuses anything else", () => {
    expect(parseDecimal("1.0850000000")).toEqual({ num: 10850000000n, den: 10000000000n });
    expect(parseDecimal("150")).toEqual({ num: 150n, den: 1n });
    for (const bad of ["-1", "1e-3", "", ".5", "1.", "abc"]) expect(parseDecimal(bad), bad).toBeNull();
  });
});
