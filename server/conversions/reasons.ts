// Every answer a postback can get, by stable reason code. Codes are an API: merchants' integrations branch on them,
// so they are never renamed. Each rejection is a 4xx (the merchant must change something) except `unavailable`
// (503: retry later). A rejection is never answered 200.
import { FX_MAX_AGE_DAYS } from "./commission";

export const REJECTIONS = {
  missing_token: { status: 401, message: "No postback token: send it as the `token` parameter, the x-postback-token header or Authorization: Bearer." },
  wrong_token: { status: 401, message: "This postback token does not belong to any merchant." },
  invalid_params: { status: 400, message: "Some parameters are missing or malformed." },
  missing_click_id: { status: 400, message: "click_id is required for a new conversion (unless customer_id is already attributed)." },
  forged_click: { status: 400, message: "The click id was not issued by us (malformed or bad signature)." },
  bad_amount: { status: 400, message: "The amount is not a valid decimal for its currency." },
  unknown_currency: { status: 400, message: "The currency is not supported." },
  click_not_for_merchant: { status: 403, message: "The click belongs to another merchant's offer." },
  unknown_click: { status: 404, message: "The click's link no longer exists." },
  unknown_transaction: { status: 404, message: "No conversion with this txn_id: a refund or approval needs the original conversion first." },
  conversion_refunded: { status: 409, message: "The conversion was already refunded; it cannot be approved." },
  outside_attribution_window: { status: 422, message: "The click is older than the offer's attribution window." },
  fx_rate_missing: { status: 422, message: "No stored exchange rate converts the sale currency into the offer's currency." },
  fx_rate_stale: { status: 422, message: `The latest stored exchange rate is more than ${FX_MAX_AGE_DAYS} days older than the sale; the program manager must add a current one.` },
  offer_misconfigured: { status: 422, message: "The offer has no rate for its payout model; the program manager must fix it." },
  offer_cap_reached: { status: 422, message: "The offer has reached its conversion cap; the conversion was not recorded." },
  commission_overflow: { status: 422, message: "The commission would exceed the largest amount we store." },
  payload_too_large: { status: 413, message: "The request body is larger than 16 KiB." },
  unsupported_media_type: { status: 415, message: "POST bodies must be application/json or application/x-www-form-urlencoded." },
  unavailable: { status: 503, message: "The database is unavailable; nothing was recorded. Retry later." },
} as const satisfies Record<string, { status: number; message: string }>;

export type RejectionCode = keyof typeof REJECTIONS;

/** Outcome codes of accepted postbacks (and retries), as written to postback_logs.reasonCode. */
export type AcceptedCode = "created" | "duplicate" | "approved" | "refunded" | "test";

/** Every reason a postback log row can carry. */
export type ReasonCode = AcceptedCode | RejectionCode;

export class PostbackRejection extends Error {
  readonly status: number;
  constructor(
    readonly code: RejectionCode,
    message: string = REJECTIONS[code].message,
  ) {
    super(message);
    this.status = REJECTIONS[code].status;
  }
}

export function reject(code: RejectionCode, message?: string): never {
  throw new PostbackRejection(code, message);
}
