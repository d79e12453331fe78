import { describe, expect, it } from "vitest";
import { type AttemptResult, decide, MAX_ATTEMPTS, parseRetryAfterMs, RETRY_DELAYS_MS, retryDelayMs } from "./schedule";

const NOW = new Date("2026-11-21T12:00:00Z");
const response = (statusCode: number | null, extra: Partial<AttemptResult> = {}): AttemptResult => ({
  statusCode,
  latencyMs: 12,
  excerpt: null,
  retryAfter: null,
  error: statusCode === null ? "connection refused" : null,
  ...extra,
});

describe("retry schedule", () => {
  it("follows 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h without jitter at the midpoint, then gives up", () => {
    const delays = Array.from({ length: MAX_ATTEMPTS }, (_, i) => retryDelayMs(i + 1, () => 0.5));
    expect(delays).toEqual([5e3, 300e3, 1800e3, 7200e3, 18000e3, 36000e3, 36000e3, null]);
  });

  it("jitters each delay by at most ±20 %", () => {
    RETRY_DELAYS_MS.forEach((base, i) => {
      expect(retryDelayMs(i + 1, () => 0)).toBe(base * 0.8);
      const highest = retryDelayMs(i + 1, () => 0.999999)!;
      expect(highest).toBeLessThanOrEqual(base * 1.2);
      expect(highest).toBeGreaterThan(base * 1.199);
    });
  });
});

describe("Retry-After", () => {
  it("reads delay-seconds and HTTP dates", () => {
    expect(parseRetryAfterMs("120", NOW)).toBe(120_000);
    expect(parseRetryAfterMs(new Date(NOW.getTime() + 90_000).toUTCString(), NOW)).toBe(90_000);
  });

  it("bounds hostile or odd values and ignores garbage", () => {
    expect(parseRetryAfterMs("0", NOW)).toBe(1_000);
    expect(parseRetryAfterMs("99999999", NOW)).toBe(24 * 3600e3);
    expect(parseRetryAfterMs(new Date(NOW.getTime() - 60_000).toUTCString(), NOW)).toBe(1_000);
    expect(parseRetryAfterMs("soon", NOW)).toBeNull();
    expect(parseRetryAfterMs(null, NOW)).toBeNull();
  });
});

describe("decide", () => {
  it("succeeds on any 2xx and ends the endpoint's failure run", () => {
    for (const code of [200, 201, 204, 299]) {
      expect(decide(response(code), 1, new Date(NOW.getTime() - 3600e3), NOW)).toEqual({
        delivery: { status: "SUCCEEDED" },
        endpointOk: true,
        disableReason: null,
        error: null,
      });
    }
  });

  it("retries other answers and network errors on the schedule", () => {
    for (const result of [response(500), response(404), response(301), response(null)]) {
      const verdict = decide(result, 1, null, NOW, () => 0.5);
      expect(verdict.delivery).toEqual({ status: "PENDING", nextAttemptAt: new Date(NOW.getTime() + 5_000) });
      expect(verdict.endpointOk).toBe(false);
    }
    expect(decide(response(null), 1, null, NOW).error).toBe("connection refused");
    expect(decide(response(503), 1, null, NOW).error).toBe("HTTP 503");
  });

  it("honours Retry-After instead of the schedule while retries remain", () => {
    const verdict = decide(response(429, { retryAfter: "120" }), 1, null, NOW);
    expect(verdict.delivery).toEqual({ status: "PENDING", nextAttemptAt: new Date(NOW.getTime() + 120_000) });
    expect(decide(response(429, { retryAfter: "120" }), MAX_ATTEMPTS, null, NOW).delivery).toEqual({ status: "FAILED" });
  });

  it("fails the delivery after the last attempt without disabling the endpoint", () => {
    const verdict = decide(response(500), MAX_ATTEMPTS, new Date(NOW.getTime() - 3600e3), NOW);
    expect(verdict).toMatchObject({ delivery: { status: "FAILED" }, disableReason: null });
  });

  it("disables the endpoint on 410 Gone", () => {
    const verdict = decide(response(410), 1, null, NOW);
    expect(verdict.delivery).toEqual({ status: "FAILED" });
    expect(verdict.disableReason).toMatch(/410 Gone/);
  });

  it("disables an endpoint that has failed for 24 hours without a success, saying since when", () => {
    const since = new Date(NOW.getTime() - 25 * 3600e3);
    const verdict = decide(response(502), 3, since, NOW);
    expect(verdict.delivery).toEqual({ status: "FAILED" });
    expect(verdict.disableReason).toContain("25 hours");
    expect(verdict.disableReason).toContain(since.toISOString());
    expect(decide(response(502), 3, new Date(NOW.getTime() - 23 * 3600e3), NOW).disableReason).toBeNull();
  });
});
