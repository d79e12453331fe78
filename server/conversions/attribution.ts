// Who gets paid for a conversion. Pure rules; the SQL in store.ts fetches what they need.
//
// 1. Last click pays: the signed click id in the postback names the link, hence the affiliate and the offer. The
//    click row itself is not needed (the id carries the link and the click time, under an HMAC).
// 2. The offer's attribution window runs from the click to the postback's arrival: a postback exactly
//    `attributionWindowDays` × 24 h after the click is inside; one millisecond later is outside.
// 3. Customers stick to their first winner: when `customer_id` names a customer whose first conversion with this
//    merchant was credited to affiliate A, every later conversion of that customer (another device, a renewal) is
//    booked on A's original link, at A's rate, even if the new click came from affiliate B. B's click is still
//    checked (signature, merchant, window) and kept in the touch path, so reports can show what B contributed.
//    A renewal may omit click_id entirely when customer_id is attributed. The winner is whoever's conversion
//    commits first (the attribution row is inserted ON CONFLICT DO NOTHING in the same statement): two first
//    conversions of one customer arriving at the same instant each keep their own affiliate.
import type { Touch } from "./credit";

export const DAY_MS = 86_400_000;

/** Touch paths keep the most recent touches only: enough for any credit model, bounded in size. */
export const MAX_TOUCHES = 20;

export function withinAttributionWindow(clickedAt: Date, receivedAt: Date, windowDays: number): boolean {
  return receivedAt.getTime() - clickedAt.getTime() <= windowDays * DAY_MS;
}

/** The customer's earlier touches (oldest first) plus this postback's click, de-duplicated, capped. */
export function extendTouchPath(prior: unknown, touch: Touch | null): Touch[] {
  const path = Array.isArray(prior) ? (prior.filter(isTouch) as Touch[]) : [];
  if (touch && !path.some((t) => t.clickId === touch.clickId)) path.push(touch);
  return path.slice(-MAX_TOUCHES);
}

function isTouch(value: unknown): value is Touch {
  const t = value as Touch;
  return typeof t?.clickId === "string" && typeof t.affiliateId === "string" && typeof t.at === "string";
}

/** First instant of the calendar month (UTC) of `at`: volume tiers count from here. */
export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** Commissions wait out the offer's holding period before they are approved (and payable). */
export function holdUntil(receivedAt: Date, holdingPeriodDays: number): Date {
  return new Date(receivedAt.getTime() + holdingPeriodDays * DAY_MS);
}
