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
// 4. The touch path (for reports only: payment never depends on it) is the customer's earlier path, then the
//    postback's `touches` (earlier click ids, oldest first, as the merchant's landing page kept them), then the
//    paid click. Each touch is verified like click_id — signature, one of this merchant's offers, inside that
//    offer's window — and one that fails is left out, with the reason in the postback log.
import type { ClickIdResult } from "../tracking/click-id";
import { DAY_MS } from "../reporting/period";
import type { Touch } from "./credit";

export { DAY_MS };

/**
 * The longest touch path stored: the first touch (first-click and position-based credit need it) and the most
 * recent ones. Also the most click ids a postback's `touches` may carry.
 */
export const MAX_TOUCHES = 20;

export function withinAttributionWindow(clickedAt: Date, receivedAt: Date, windowDays: number): boolean {
  return receivedAt.getTime() - clickedAt.getTime() <= windowDays * DAY_MS;
}

/**
 * The conversion's touch path: the customer's earlier path (oldest first), the verified `touches`, then the paid
 * click last; each click once. Beyond MAX_TOUCHES the first touch and the most recent ones are kept.
 */
export function buildTouchPath(prior: unknown, touches: readonly Touch[], click: Touch | null): Touch[] {
  const seen = new Set(click ? [click.clickId] : []);
  const path: Touch[] = [];
  for (const touch of [...(Array.isArray(prior) ? prior.filter(isTouch) : []), ...touches]) {
    if (seen.has(touch.clickId)) continue;
    seen.add(touch.clickId);
    path.push(touch);
  }
  if (click) path.push(click);
  return path.length <= MAX_TOUCHES ? path : [path[0]!, ...path.slice(-(MAX_TOUCHES - 1))];
}

/** Where a touch's link leads, as the context read found it (null: the link is gone). */
export interface TouchLink {
  id: number;
  affiliateId: string;
  merchantId: string;
  windowDays: number;
}

export interface SentTouch {
  clickId: string;
  verified: ClickIdResult;
}

export interface CheckedTouches {
  kept: Touch[];
  leftOut: { clickId: string; reason: string }[];
}

/** Rule 4: which of the postback's `touches` enter the path, and why the others do not. */
export function checkTouches(sent: readonly SentTouch[], links: ReadonlyMap<number, TouchLink>, merchantId: string, receivedAt: Date): CheckedTouches {
  const result: CheckedTouches = { kept: [], leftOut: [] };
  for (const { clickId, verified } of sent) {
    const checked = checkTouch(clickId, verified, links, merchantId, receivedAt);
    if ("reason" in checked) result.leftOut.push({ clickId, reason: checked.reason });
    else result.kept.push(checked);
  }
  return result;
}

function checkTouch(clickId: string, verified: ClickIdResult, links: ReadonlyMap<number, TouchLink>, merchantId: string, receivedAt: Date): Touch | { reason: string } {
  if (!verified.ok) return { reason: "its signature does not match" };
  const link = links.get(verified.linkId);
  if (!link) return { reason: "its link no longer exists" };
  if (link.merchantId !== merchantId) return { reason: "it is a click on another merchant's offer" };
  if (!withinAttributionWindow(verified.clickedAt, receivedAt, link.windowDays)) return { reason: `it is older than its offer's ${link.windowDays}-day attribution window` };
  return { clickId, affiliateId: link.affiliateId, at: verified.clickedAt.toISOString() };
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
