// Pure part of a payout run: which approved commissions are paid together, per affiliate and currency.
// Negative adjustments (claw-backs of refunded, already-paid commissions) are netted against the same
// affiliate's earnings in that currency; when the net is not positive nothing is paid and every line of that
// group waits for the next run, so a claw-back is never lost and an affiliate is never sent a negative payout.

export interface PayableCommission {
  id: string;
  affiliateId: string;
  currency: string;
  amountMinor: number;
}

export interface PlannedPayout {
  affiliateId: string;
  currency: string;
  amountMinor: number;
  commissionIds: string[];
}

export interface PayoutPlan {
  payouts: PlannedPayout[];
  /** Groups whose net is zero or negative: carried over to the next run. */
  carriedOver: PlannedPayout[];
}

export function planPayouts(commissions: readonly PayableCommission[]): PayoutPlan {
  const groups = new Map<string, PlannedPayout>();
  for (const c of commissions) {
    const key = `${c.affiliateId}\u0000${c.currency}`;
    const group = groups.get(key) ?? { affiliateId: c.affiliateId, currency: c.currency, amountMinor: 0, commissionIds: [] };
    group.amountMinor += c.amountMinor;
    group.commissionIds.push(c.id);
    groups.set(key, group);
  }
  const plan: PayoutPlan = { payouts: [], carriedOver: [] };
  for (const group of groups.values()) (group.amountMinor > 0 ? plan.payouts : plan.carriedOver).push(group);
  const byAffiliateThenCurrency = (a: PlannedPayout, b: PlannedPayout) =>
    a.affiliateId.localeCompare(b.affiliateId) || a.currency.localeCompare(b.currency);
  plan.payouts.sort(byAffiliateThenCurrency);
  plan.carriedOver.sort(byAffiliateThenCurrency);
  return plan;
}

/** Sum of amounts per currency, in first-seen order. */
export function totalsByCurrency(rows: readonly { currency: string; amountMinor: number }[]) {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0) + r.amountMinor);
  return [...totals].map(([currency, amountMinor]) => ({ currency, amountMinor }));
}

export const PAYOUT_METHOD_LABEL = { PAYPAL: "PayPal", BANK_TRANSFER: "Bank transfer", WISE: "Wise" } as const;
