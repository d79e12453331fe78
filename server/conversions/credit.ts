// Credit models over a conversion's touch path, for reports (credit-report.ts). Payment always follows last click
// (or the customer's first winner, see attribution.ts); these only show how the same sales would split otherwise.
//   first_click     100% to the first touch
//   linear          equal shares
//   position_based  40% first, 40% last, 20% shared by the touches between (U-shaped); 50/50 with two touches
// Amounts are split exactly: integer weights, then largest-remainder apportionment, so the parts always add up to
// the whole, to the minor unit (ties go to the earlier touch).

export interface Touch {
  clickId: string;
  affiliateId: string;
  /** ISO timestamp of the click. */
  at: string;
}

export const CREDIT_MODELS = ["first_click", "linear", "position_based"] as const;
export type CreditModel = (typeof CREDIT_MODELS)[number];

/** Integer weight of each touch (the share of touch i is weights[i] / sum). */
export function creditWeights(touchCount: number, model: CreditModel): bigint[] {
  const n = touchCount;
  if (n === 0) return [];
  const weights = new Array<bigint>(n).fill(0n);
  switch (model) {
    case "first_click":
      weights[0] = 1n;
      break;
    case "linear":
      weights.fill(1n);
      break;
    case "position_based":
      if (n <= 2) weights.fill(1n);
      else {
        // first and last get 2 parts each per middle touch, the middles 1 each: 2m : m : 2m of 5m = 40/20/40.
        const middles = BigInt(n - 2);
        weights.fill(1n);
        weights[0] = 2n * middles;
        weights[n - 1] = 2n * middles;
      }
      break;
  }
  return weights;
}

/** Splits `amountMinor` across touches by weight; the parts sum exactly to the amount. */
export function apportion(amountMinor: bigint, weights: readonly bigint[]): bigint[] {
  const total = weights.reduce((a, b) => a + b, 0n);
  if (total === 0n) return weights.map(() => 0n);
  const sign = amountMinor < 0n ? -1n : 1n;
  const amount = amountMinor * sign;
  const parts = weights.map((w) => (amount * w) / total);
  const remainders = weights.map((w, i) => ({ i, r: (amount * w) % total }));
  let left = amount - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i]! += 1n;
    left -= 1n;
  }
  return parts.map((p) => p * sign);
}

/**
 * Each affiliate's credit for an amount earned over one path (the affiliates of its touches, oldest first) under
 * `model`, in order of their first touch.
 */
export function creditByAffiliate(amountMinor: bigint, affiliates: readonly string[], model: CreditModel): Array<{ affiliateId: string; amountMinor: bigint }> {
  const parts = apportion(amountMinor, creditWeights(affiliates.length, model));
  const byAffiliate = new Map<string, bigint>();
  affiliates.forEach((affiliateId, i) => byAffiliate.set(affiliateId, (byAffiliate.get(affiliateId) ?? 0n) + parts[i]!));
  return [...byAffiliate].map(([affiliateId, amount]) => ({ affiliateId, amountMinor: amount }));
}
