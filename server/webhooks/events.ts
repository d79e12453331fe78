// The event catalogue: what merchants can subscribe to. No Node imports, so pages can use it too.

/** Event types a merchant can subscribe to, with what each announces; an endpoint with no types gets them all. */
export const EVENT_CATALOGUE = {
  "conversion.created": "A sale or lead was attributed to an affiliate.",
  "conversion.reversed": "A conversion was refunded or reversed.",
  "commission.created": "An affiliate earned a commission on a conversion.",
  "commission.reversed": "A commission was clawed back.",
  "fraud.flagged": "Fraud checks flagged a conversion or held its commission.",
} as const;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as [EventType, ...EventType[]];

/** Sent by "send test event" to one endpoint only, whatever its subscriptions. */
export const TEST_EVENT_TYPE = "webhook.test";

/**
 * The envelope's `api_version`: the shape of `data` for every type is frozen under a version; a breaking change
 * ships as a new version (and merchants opt in), additive fields do not bump it.
 */
export const API_VERSION = "2026-11-01";
