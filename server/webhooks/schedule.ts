// What happens after an attempt: pure decisions (no I/O, clock and randomness passed in) so the retry policy is
// tested without waiting hours.

/** Delay before retry n (after attempt n failed): about a day in total, then the delivery gives up. */
export const RETRY_DELAYS_MS = [5e3, 5 * 60e3, 30 * 60e3, 2 * 3600e3, 5 * 3600e3, 10 * 3600e3, 10 * 3600e3] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** ±20 %: spreads the retries of a burst that failed together, so a recovering endpoint is not hit all at once. */
const JITTER = 0.2;
/** A receiver's Retry-After is obeyed between these bounds (a hostile or buggy value cannot park a delivery). */
const RETRY_AFTER_MIN_MS = 1_000;
const RETRY_AFTER_MAX_MS = 24 * 3600e3;
/** An endpoint failing without a single success for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 24 * 3600e3;

/** Delay before the next attempt after `attemptsMade` failed attempts, or null when retries are exhausted. */
export function retryDelayMs(attemptsMade: number, random: () => number = Math.random): number | null {
  const base = RETRY_DELAYS_MS[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * (1 - JITTER + 2 * JITTER * random()));
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. Bounded. */
export function parseRetryAfterMs(header: string | null | undefined, now: Date): number | null {
  if (!header) return null;
  const text = header.trim();
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now.getTime();
  if (!Number.isFinite(ms)) return null;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, ms));
}

export interface AttemptResult {
  statusCode: number | null;
  latencyMs: number;
  /** First KB of the response body. */
  excerpt: string | null;
  retryAfter: string | null;
  /** Network-level failure (timeout, refused, SSRF block); null when a response came back. */
  error: string | null;
}

export type Decision =
  | { status: "SUCCEEDED" }
  | { status: "PENDING"; nextAttemptAt: Date }
  | { status: "FAILED" };

export interface Verdict {
  delivery: Decision;
  /** The endpoint's failure run: ended by a success, started/continued by a failure. */
  endpointOk: boolean;
  /** Set when this attempt disables the endpoint. */
  disableReason: string | null;
  /** What the delivery log shows as the error of this attempt. */
  error: string | null;
}

export const isSuccess = (statusCode: number | null) => statusCode !== null && statusCode >= 200 && statusCode < 300;

/**
 * Decides the delivery's and the endpoint's next state after attempt number `attemptsMade` (1-based).
 * `failingSince` is the endpoint's failure run before this attempt.
 */
export function decide(
  result: AttemptResult,
  attemptsMade: number,
  failingSince: Date | null,
  now: Date,
  random: () => number = Math.random,
): Verdict {
  if (isSuccess(result.statusCode)) return { delivery: { status: "SUCCEEDED" }, endpointOk: true, disableReason: null, error: null };

  const error = result.error ?? `HTTP ${result.statusCode}`;
  if (result.statusCode === 410) {
    return { delivery: { status: "FAILED" }, endpointOk: false, disableReason: "The endpoint answered 410 Gone.", error };
  }
  if (failingSince && now.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS) {
    const hours = Math.floor((now.getTime() - failingSince.getTime()) / 3600e3);
    const disableReason = `Every delivery failed for ${hours} hours (since ${failingSince.toISOString()}); last error: ${error}.`;
    return { delivery: { status: "FAILED" }, endpointOk: false, disableReason, error };
  }
  const backoff = retryDelayMs(attemptsMade, random);
  if (backoff === null) return { delivery: { status: "FAILED" }, endpointOk: false, disableReason: null, error };
  const delay = parseRetryAfterMs(result.retryAfter, now) ?? backoff;
  return {
    delivery: { status: "PENDING", nextAttemptAt: new Date(now.getTime() + delay) },
    endpointOk: false,
    disableReason: null,
    error,
  };
}
