import { describe, expect, it } from "vitest";
import { currencyExponent, formatBps, formatMoney, formatRate, minorToDecimal } from ".";

describe("money", () => {
  it("knows each currency's minor-unit digits", () => {
    expect([currencyExponent("EUR"), currencyExponent("JPY"), currencyExponent("BHD")]).toEqual([2, 0, 3]);
    // Not in our supported table: ICU knows it.
    expect(currencyExponent("ISK")).toBe(0);
  });

  it("writes minor units as exact decimals", () => {
    expect(minorToDecimal(4990, "EUR")).toBe("49.90");
    expect(minorToDecimal(-5, "EUR")).toBe("-0.05");
    expect(minorToDecimal(500, "JPY")).toBe("500");
    expect(minorToDecimal(1234, "BHD")).toBe("1.234");
    // Beyond 2^53 a float would round; the string path does not.
    expect(minorToDecimal(90071992547409931n, "USD")).toBe("900719925474099.31");
  });

  it("formats with the currency's symbol and exponent", () => {
    expect(formatMoney(4990, "EUR")).toBe("€49.90");
    expect(formatMoney(123456789, "USD")).toBe("$1,234,567.89");
    expect(formatMoney(500, "JPY")).toBe("¥500");
    expect(formatMoney(-1999, "USD")).toBe("-$19.99");
  });

  it("formats basis points as percentages", () => {
    expect(formatBps(1500)).toBe("15%");
    expect(formatBps(1250)).toBe("12.5%");
  });

  it("describes rates in words", () => {
    expect(formatRate({ payoutModel: "CPA", cpaAmountMinor: 800, revshareBps: null, currency: "EUR" })).toBe("€8.00 per conversion");
    expect(formatRate({ payoutModel: "REVSHARE", cpaAmountMinor: null, revshareBps: 1200, currency: "USD" })).toBe("12% of the sale");
  });
});
