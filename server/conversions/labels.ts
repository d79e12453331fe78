// Commission statuses in words, shared by the manager's and the affiliate's pages (pure: safe in the browser).
// A held commission always says why, and so does one reversed by fraud review: affiliates never see a silent gap.

export function commissionStatusLabel(commission: { kind?: string; status: string; heldReason: string | null; conversion?: { status: string } }): string {
  const status =
    commission.status === "HELD"
      ? `held: ${commission.heldReason ?? "under review"}`
      : commission.status === "REVERSED" && commission.conversion?.status === "REFUNDED"
        ? "reversed: the sale was refunded"
        : commission.status === "REVERSED" && commission.heldReason
          ? `reversed: ${commission.heldReason}`
          : commission.status.toLowerCase();
  return commission.kind === "ADJUSTMENT" ? `adjustment · ${status}` : status;
}

/** Badge tone per commission status (components/ui Badge tones). */
export const COMMISSION_TONE = { PENDING: "amber", HELD: "red", APPROVED: "blue", PAID: "green", REVERSED: "gray" } as const;
