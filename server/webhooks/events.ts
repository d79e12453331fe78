// The event catalogue: what merchants can subscribe to. No Node imports, so pages can use it too.

/** Event types a merchant can subscribe to, with what each announces; an endpoint with no types gets them all. */
export const EVENT_CATALOGUE = {
  "conversion.created": "A sale or lead was attributed to an affiliate.",
  "conversion.reversed": "A conversion was refunded or reversed.",
  "commission.created": "An affiliate earned a commission on a conversion.",
  "commission.reversed": "A commission was clawed back.",
  "fraud.flagged": "Fraud checks held a conversion's commission for review (with the reason and the rules that fired).",
} as const;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as [EventType, ...EventType[]];

/** Sent by "send test event" to one endpoint only, whatever its subscriptions. */
export const TEST_EVENT_TYPE = "webhook.test";

/**
 * The envelope's `api_version`, the same on every event: additive fields in `data` do not change it; a breaking
 * change to any type's `data` must bump it. There is one version at a time (no per-endpoint pinning), so a breaking
 * change also needs a way for merchants to move over before it ships.
 */
export const API_VERSION = "2026-11-01";
