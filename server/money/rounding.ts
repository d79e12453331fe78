// Exact integer arithmetic for money: every computed amount is a fraction of integers (BigInt), rounded once, at
// the end, half-even ("banker's rounding": a tie goes to the even neighbour, so ties round up and down equally
// often and sums of many rounded amounts do not drift). No floating point anywhere.

/** A non-negative or negative rational number `num / den` with `den > 0`. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** `num / den` rounded half-even to an integer. `den` must be non-zero; signs are handled symmetrically. */
export function divHalfEven(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError("division by zero");
  if (den < 0n) return divHalfEven(-num, -den);
  const quotient = num / den; // truncates toward zero
  const remainder = num % den; // same sign as num
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  if (twice < den) return quotient;
  const away = num < 0n ? quotient - 1n : quotient + 1n;
  if (twice > den) return away;
  return quotient % 2n === 0n ? quotient : away; // exactly half: the even neighbour
}

const DECIMAL = /^(\d{1,30})(?:\.(\d{1,30}))?$/;

/**
 * A plain decimal string ("0.0061", "1.0850000000" — how PostgreSQL prints a NUMERIC) as an exact fraction.
 * Signs, exponents and anything else are refused: rates and amounts here are never negative.
 */
export function parseDecimal(text: string): Rational | null {
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const [, whole, fraction = ""] = match;
  return { num: BigInt(whole! + fraction), den: 10n ** BigInt(fraction.length) };
}

/** 10^n as a BigInt (currency exponents are 0..3). */
export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}
