// Offer caps (conversions per UTC day / month): the rule in words. The enforcement is the postback's create
// statement (store.ts, CTE `cap`), which counts under a row lock; this only explains a refusal.
import type { CapValues } from "./store";

export interface CapUsage {
  day: string | null;
  dayCount: number | null;
  month: string | null;
  monthCount: number | null;
}

/** The reason a conversion is refused under `cap` given the counter's `usage`, or null when there is room. */
export function capRefusal(cap: CapValues, usage: CapUsage): string | null {
  if (cap.dailyCap !== null && usage.day === cap.day && (usage.dayCount ?? 0) >= cap.dailyCap) {
    return `The offer's daily cap of ${cap.dailyCap} conversions is reached for ${cap.day} (UTC); the conversion was not recorded.`;
  }
  if (cap.monthlyCap !== null && usage.month === cap.month && (usage.monthCount ?? 0) >= cap.monthlyCap) {
    return `The offer's monthly cap of ${cap.monthlyCap} conversions is reached for ${cap.month.slice(0, 7)}; the conversion was not recorded.`;
  }
  return null;
}
