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
