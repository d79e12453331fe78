// Commission statuses in words, shared by the manager's and the affiliate's pages (pure: safe in the browser).
// A held commission always says why, and so does one reversed by fraud review: affiliates never see a silent gap.

export function commissionStatusLabel(commission: { kind?: string; status: string; heldReason: string | null; conversion?: { status: string } }): string {
  const status = statusInWords(commission);
  return commission.kind === "ADJUSTMENT" ? `adjustment · ${status}` : status;
}

function statusInWords({ status, heldReason, conversion }: { status: string; heldReason: string | null; conversion?: { status: string } }): string {
  if (status === "HELD") return `held: ${heldReason ?? "under review"}`;
  if (status === "REVERSED" && conversion?.status === "REFUNDED") return "reversed: the sale was refunded";
  if (status === "REVERSED" && heldReason) return `reversed: ${heldReason}`; // by fraud review (server/fraud/review.ts)
  return status.toLowerCase();
}

/** Badge tone per commission status (components/ui Badge tones). */
export const COMMISSION_TONE = { PENDING: "amber", HELD: "red", APPROVED: "blue", PAID: "green", REVERSED: "gray" } as const;

/**
 * What the affiliate learns about a commission held or reversed by the fraud checks: that it is under review, and
 * the kind of check (from its flags' rule codes), never the rule's own words or numbers ("2.0 s after the click
 * (minimum 10 s)") — those are for managers, and would teach a fraudster the thresholds.
 */
const REVIEW_CATEGORY: Record<string, string> = {
  fast_conversion: "conversion timing",
  click_to_conversion_time: "conversion timing",
  click_velocity: "traffic quality",
  click_spamming: "traffic quality",
  click_farm: "traffic quality",
  non_human: "traffic quality",
  synchronized_burst: "traffic quality",
  subnet_concentration: "traffic quality",
  converting_user_agent: "traffic quality",
  conversion_rate_anomaly: "conversion rate",
  conversion_rate_evidence: "conversion rate",
  self_referral: "customer identity",
  customer_aliases: "customer identity",
  combined_score: "overall risk",
};

export function reviewCategory(codes: readonly string[]): string {
  const categories = [...new Set(codes.map((code) => REVIEW_CATEGORY[code] ?? "fraud checks"))].sort();
  return categories.length ? categories.join(", ") : "fraud checks";
}

/** A commission's heldReason as its affiliate may read it (null stays null; a refund's reversal says nothing extra). */
export function affiliateHeldReason(commission: { status: string; heldReason: string | null; flagCodes: readonly string[] }): string | null {
  if (!commission.heldReason) return null;
  const category = reviewCategory(commission.flagCodes);
  return commission.status === "REVERSED" ? `did not pass review (${category})` : `under review (${category})`;
}
