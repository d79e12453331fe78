// Amounts as merchants send them ("49.90 EUR", "5000 JPY", "1.250 KWD") parsed exactly into integer minor units.
// Strict on purpose: a postback amount is money owed, so anything ambiguous is refused with a reason rather than
// guessed. The digits are moved, never computed through a float.

/**
 * Currencies postbacks accept, with their ISO 4217 minor-unit exponent (digits after the decimal point).
 * A short list on purpose: each one must also have FX rates stored before it can pay out in another currency.
 */
export const SUPPORTED_CURRENCIES: Readonly<Record<string, number>> = Object.freeze({
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  BRL: 2,
  MXN: 2,
  INR: 2,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  BHD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
});

/** The largest amount a conversion or commission may carry: PostgreSQL `integer`, in minor units. */
export const MAX_MINOR = 2_147_483_647;

export type AmountError = "unknown_currency" | "bad_amount";

export type ParsedAmount = { ok: true; minor: number; currency: string } | { ok: false; code: AmountError; message: string };

/** The exponent of a supported currency, or null. Codes are upper-case ISO 4217 ("EUR"). */
export function supportedExponent(currency: string): number | null {
  return Object.hasOwn(SUPPORTED_CURRENCIES, currency) ? SUPPORTED_CURRENCIES[currency]! : null;
}

const AMOUNT = /^(\d+)(?:\.(\d+))?$/;

/**
 * Parses a non-negative decimal in major units into minor units of `currency`.
 * Accepted: "49.90", "49.9", "49", "0", "1500.00" for JPY (decimals beyond the exponent are allowed only when they
 * are zeros: they carry no value, and some networks always print four decimals).
 * Refused (`bad_amount`): signs, exponents ("1e3"), commas, spaces, empty, ".5" / "5.", non-zero digits beyond the
 * currency's exponent ("1.234" USD), and more than MAX_MINOR minor units. Unknown code: `unknown_currency`.
 */
export function parseAmount(text: string, currencyCode: string): ParsedAmount {
  const currency = currencyCode.toUpperCase();
  const exponent = supportedExponent(currency);
  if (exponent === null) {
    return { ok: false, code: "unknown_currency", message: `Currency "${currencyCode.slice(0, 8)}" is not supported (ISO 4217 code, one of ${Object.keys(SUPPORTED_CURRENCIES).join(", ")}).` };
  }
  const match = AMOUNT.exec(text);
  if (!match) {
    return { ok: false, code: "bad_amount", message: "amount must be a plain decimal in major units, e.g. 49.90 (digits and one dot; no sign, comma, space or exponent)." };
  }
  const whole = match[1]!.replace(/^0+(?=\d)/, "");
  const fraction = match[2] ?? "";
  const kept = fraction.slice(0, exponent);
  if (/[^0]/.test(fraction.slice(exponent))) {
    return { ok: false, code: "bad_amount", message: `${currency} amounts have at most ${exponent} decimal${exponent === 1 ? "" : "s"}.` };
  }
  // Length check first so a megabyte of digits never becomes a BigInt.
  const digits = whole + kept.padEnd(exponent, "0");
  if (digits.length > 15 || BigInt(digits) > BigInt(MAX_MINOR)) {
    return { ok: false, code: "bad_amount", message: `amount is too large (at most ${maxMajor(exponent)} ${currency}).` };
  }
  return { ok: true, minor: Number(digits), currency };
}

function maxMajor(exponent: number): string {
  const digits = String(MAX_MINOR);
  return exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

const PERCENT = /^(\d{1,3})(?:\.(\d{1,2}))?$/;

/**
 * A percentage as a manager types it ("12.5", "15", "0.25") into basis points (1250, 1500, 25), exactly: at most
 * two decimals (a basis point is 0.01%), from 0 to 100.
 */
export function parsePercent(text: string): { ok: true; bps: number } | { ok: false; message: string } {
  const match = PERCENT.exec(text.trim());
  if (!match) return { ok: false, message: "a percentage with a dot and at most two decimals, e.g. 12.5" };
  const bps = Number(match[1]! + (match[2] ?? "").padEnd(2, "0"));
  if (bps > 10_000) return { ok: false, message: "a percentage from 0 to 100" };
  return { ok: true, bps };
}
