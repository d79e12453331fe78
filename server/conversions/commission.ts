// What an affiliate earns on one conversion. Pure: the caller reads the offer, tiers, override, the affiliate's
// count for the month and the FX rate, and gets back an integer amount in the offer's currency plus the sentence
// that explains it ("15% of 49.90 EUR = 7.49 EUR").
//
// Rate precedence: a per-affiliate override, else the highest volume tier reached, else the offer's own rate.
// Tiers count the affiliate's conversions on the offer this calendar month (UTC) INCLUDING this one, so the
// conversion that reaches `minConversions` is the first paid at the tier's rate.
//
// Rounding: the exact result is a fraction of integers, rounded once at the end, half-even (see server/money).
// With FX the sale is not rounded into the offer's currency first: amount × rate × bps is computed exactly and
// rounded once. CPA amounts are already in the offer's currency, so a CPA commission never needs an FX rate.
//
// FX staleness: the rate used is the latest stored on or before the sale's day (UTC), and it must be at most
// FX_MAX_AGE_DAYS older than that day. Rates are published on business days, so a week covers weekends and
// holidays; an older one means nobody keeps the rates up to date, and paying on it would be a guess (fx_rate_stale).
import { formatBps, minorToDecimal, trimZeros } from "../money";
import { MAX_MINOR, supportedExponent } from "../money/amount";
import { type Rational, divHalfEven, parseDecimal, pow10 } from "../money/rounding";
import { daysBetween } from "../reporting/period";

export interface RateFields {
  cpaAmountMinor: number | null;
  revshareBps: number | null;
}

export interface OfferRate extends RateFields {
  payoutModel: "CPA" | "REVSHARE";
  /** The commission's currency. */
  currency: string;
}

export interface Tier extends RateFields {
  minConversions: number;
}

/** A stored rate: 1 `base` = `rate` `quote`, as of a date. */
export interface FxQuote {
  id: string;
  base: string;
  quote: string;
  /** Decimal string exactly as stored (NUMERIC(20,10)), e.g. "0.0061000000". */
  rate: string;
  asOf: string; // YYYY-MM-DD
}

/** The oldest FX rate still used, in days before the sale's day. */
export const FX_MAX_AGE_DAYS = 7;

export interface CommissionInput {
  offer: OfferRate;
  tiers: readonly Tier[];
  override: RateFields | null;
  /**
   * The affiliate's conversions on this offer this month, this one included (only read when tiers exist; counted
   * up to the highest tier's threshold, which is all the choice needs).
   */
  conversionNumber: number;
  sale: { amountMinor: number; currency: string };
  /** A rate between the sale's and the offer's currency (either direction), when they differ. */
  fx: FxQuote | null;
  /** The sale's day (UTC, YYYY-MM-DD): the FX rate must be at most FX_MAX_AGE_DAYS older. */
  saleDay: string;
}

export type CommissionResult =
  | { ok: true; amountMinor: number; currency: string; calculation: string; fxRateId: string | null }
  | { ok: false; code: "fx_rate_missing" | "fx_rate_stale" | "offer_misconfigured" | "commission_overflow"; message: string };

interface ChosenRate {
  value: number;
  source: string; // "" for the offer's own rate
}

function chooseRate(input: CommissionInput, field: keyof RateFields): ChosenRate | null {
  const fromOverride = input.override?.[field];
  if (fromOverride != null) return { value: fromOverride, source: "affiliate override" };
  const tier = [...input.tiers]
    .filter((t) => t[field] != null && t.minConversions <= input.conversionNumber)
    .sort((a, b) => b.minConversions - a.minConversions)[0];
  if (tier) return { value: tier[field]!, source: `tier from ${tier.minConversions} conversions this month` };
  const own = input.offer[field];
  return own == null ? null : { value: own, source: "" };
}

const money = (minor: number | bigint, currency: string) => `${minorToDecimal(minor, currency)} ${currency}`;

export function computeCommission(input: CommissionInput): CommissionResult {
  const { offer, sale } = input;
  const field = offer.payoutModel === "CPA" ? "cpaAmountMinor" : "revshareBps";
  const rate = chooseRate(input, field);
  if (!rate || rate.value < 0) return { ok: false, code: "offer_misconfigured", message: `The offer has no ${offer.payoutModel === "CPA" ? "CPA amount" : "revenue share"} configured.` };
  const note = rate.source ? ` (${rate.source})` : "";

  if (offer.payoutModel === "CPA") {
    return { ok: true, amountMinor: rate.value, currency: offer.currency, calculation: `flat ${money(rate.value, offer.currency)} per conversion${note}`, fxRateId: null };
  }

  const bps = BigInt(rate.value);
  const share = formatBps(rate.value);
  if (sale.currency === offer.currency) {
    const amount = divHalfEven(BigInt(sale.amountMinor) * bps, 10_000n);
    return finish(amount, offer.currency, `${share} of ${money(sale.amountMinor, sale.currency)}${note} = ${money(amount, offer.currency)}`, null);
  }

  const fx = input.fx ? fxFactor(input.fx, sale.currency, offer.currency) : null;
  if (!fx) return { ok: false, code: "fx_rate_missing", message: `No stored ${sale.currency}→${offer.currency} exchange rate on or before the conversion date.` };
  const age = daysBetween(input.fx!.asOf, input.saleDay);
  if (age > FX_MAX_AGE_DAYS) {
    return {
      ok: false,
      code: "fx_rate_stale",
      message: `The latest stored ${sale.currency}→${offer.currency} exchange rate is from ${input.fx!.asOf}, ${age} days before the sale; rates older than ${FX_MAX_AGE_DAYS} days are not used. The program manager must add a current rate.`,
    };
  }
  // sale minor → sale major (÷10^es) → offer major (×rate) → offer minor (×10^eo); then × bps / 10 000.
  const es = pow10(supportedExponent(sale.currency) ?? 2);
  const eo = pow10(supportedExponent(offer.currency) ?? 2);
  const convertedNum = BigInt(sale.amountMinor) * fx.rate.num * eo;
  const convertedDen = fx.rate.den * es;
  const converted = divHalfEven(convertedNum, convertedDen);
  const amount = divHalfEven(convertedNum * bps, convertedDen * 10_000n);
  const calculation =
    `${share} of ${money(sale.amountMinor, sale.currency)} → ${money(converted, offer.currency)} at 1 ${sale.currency} = ${fx.display} ${offer.currency}` +
    ` (rate of ${input.fx!.asOf})${note} = ${money(amount, offer.currency)}`;
  return finish(amount, offer.currency, calculation, input.fx!.id);
}

function finish(amount: bigint, currency: string, calculation: string, fxRateId: string | null): CommissionResult {
  if (amount > BigInt(MAX_MINOR)) return { ok: false, code: "commission_overflow", message: `The commission (${money(amount, currency)}) exceeds the largest amount we store.` };
  return { ok: true, amountMinor: Number(amount), currency, calculation, fxRateId };
}

/** 1 `from` = rate `to`, exactly, from a quote stored in either direction; null when it does not apply or is 0. */
export function fxFactor(quote: FxQuote, from: string, to: string): { rate: Rational; display: string } | null {
  const stored = parseDecimal(quote.rate);
  if (!stored || stored.num === 0n) return null;
  if (quote.base === from && quote.quote === to) return { rate: stored, display: trimZeros(quote.rate) };
  if (quote.base === to && quote.quote === from) return { rate: { num: stored.den, den: stored.num }, display: `1/${trimZeros(quote.rate)}` };
  return null;
}

/** Whole days from one UTC date (YYYY-MM-DD) to another. */
