// Money is an integer count of minor units plus an ISO 4217 code. These helpers turn it into text without
// floating point: the decimal string is built from the integer's digits, and Intl formats that string exactly
// (Intl.NumberFormat accepts decimal strings). Parsing amounts is in ./amount.ts. Pure: safe in client components.
import { supportedExponent } from "./amount";

const exponents = new Map<string, number>();

/** Minor-unit digits of a currency (EUR 2, JPY 0, BHD 3): our table for supported ones, else the ICU data. */
export function currencyExponent(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    exponent =
      supportedExponent(currency) ??
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2;
    exponents.set(currency, exponent);
  }
  return exponent;
}

/** 4990 EUR → "49.90"; -5 EUR → "-0.05"; 500 JPY → "500". */
export function minorToDecimal(amountMinor: number | bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  const value = BigInt(amountMinor);
  const digits = (value < 0n ? -value : value).toString().padStart(exponent + 1, "0");
  const sign = value < 0n ? "-" : "";
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** 4990, "EUR" → "€49.90" (locale "en-US" by default, so server and browser render the same text). */
export function formatMoney(amountMinor: number | bigint, currency: string, locale = "en-US"): string {
  const key = `${locale}|${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: "currency", currency });
    formatters.set(key, formatter);
  }
  return formatter.format(minorToDecimal(amountMinor, currency) as Intl.StringNumericLiteral);
}

/** Basis points as an exact percentage: 1500 → "15%", 1250 → "12.5%", 1 → "0.01%" (digits moved, no float). */
export function formatBps(bps: number): string {
  const digits = String(Math.abs(bps)).padStart(3, "0");
  return `${bps < 0 ? "-" : ""}${trimZeros(`${digits.slice(0, -2)}.${digits.slice(-2)}`)}%`;
}

/** A decimal string without trailing fractional zeros: "1.0850" → "1.085", "15.00" → "15", "150" → "150". */
export function trimZeros(decimal: string): string {
  return decimal.includes(".") ? decimal.replace(/\.?0+$/, "") : decimal;
}

export interface Rate {
  payoutModel: "CPA" | "REVSHARE";
  cpaAmountMinor: number | null;
  revshareBps: number | null;
  currency: string;
}

/** An offer's (or tier's, or override's) rate in words: "€12.00 per conversion" or "15% of the sale". */
export function formatRate(rate: Rate): string {
  if (rate.payoutModel === "CPA") return `${formatMoney(rate.cpaAmountMinor ?? 0, rate.currency)} per conversion`;
  return `${formatBps(rate.revshareBps ?? 0)} of the sale`;
}
