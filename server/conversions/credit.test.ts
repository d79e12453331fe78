import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extendTouchPath, MAX_TOUCHES, withinAttributionWindow, DAY_MS } from "./attribution";
import { CREDIT_MODELS, type Touch, apportion, creditByAffiliate } from "./credit";

const touch = (affiliateId: string, i: number): Touch => ({ clickId: `c${i}`, affiliateId, at: new Date(Date.UTC(2026, 10, 1 + i)).toISOString() });
const path = (...affiliates: string[]) => affiliates.map(touch);

describe("credit models", () => {
  it("gives everything to the last or the first touch", () => {
    expect(creditByAffiliate(1000, path("a", "b", "c"), "last_click")).toEqual([
      { affiliateId: "a", amountMinor: 0 },
      { affiliateId: "b", amountMinor: 0 },
      { affiliateId: "c", amountMinor: 1000 },
    ]);
    expect(creditByAffiliate(1000, path("a", "b", "c"), "first_click")[0]).toEqual({ affiliateId: "a", amountMinor: 1000 });
  });

  it("splits linearly, the odd cent to the earliest touch", () => {
    expect(creditByAffiliate(1000, path("a", "b", "c"), "linear")).toEqual([
      { affiliateId: "a", amountMinor: 334 },
      { affiliateId: "b", amountMinor: 333 },
      { affiliateId: "c", amountMinor: 333 },
    ]);
  });

  it("is U-shaped for position-based: 40/20/40, 50/50 with two touches, all with one", () => {
    expect(creditByAffiliate(1000, path("a", "b", "c"), "position_based").map((c) => c.amountMinor)).toEqual([400, 200, 400]);
    expect(creditByAffiliate(1000, path("a", "b", "c", "d"), "position_based").map((c) => c.amountMinor)).toEqual([400, 100, 100, 400]);
    expect(creditByAffiliate(999, path("a", "b"), "position_based").map((c) => c.amountMinor)).toEqual([500, 499]);
    expect(creditByAffiliate(999, path("a"), "position_based")).toEqual([{ affiliateId: "a", amountMinor: 999 }]);
  });

  it("adds up an affiliate's touches", () => {
    expect(creditByAffiliate(900, path("a", "b", "a"), "linear")).toEqual([
      { affiliateId: "a", amountMinor: 600 },
      { affiliateId: "b", amountMinor: 300 },
    ]);
  });

  it("always distributes exactly the whole amount, never a negative part (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        fc.array(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 25 }),
        fc.constantFrom(...CREDIT_MODELS),
        (amount, affiliates, model) => {
          const credits = creditByAffiliate(amount, path(...affiliates), model);
          expect(credits.reduce((sum, c) => sum + c.amountMinor, 0)).toBe(amount);
          for (const c of credits) expect(Math.sign(c.amountMinor) * Math.sign(amount)).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("apportions each part within one unit of its exact share (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.array(fc.bigInt({ min: 0n, max: 1000n }), { minLength: 1, maxLength: 30 }), (amount, weights) => {
        const total = weights.reduce((a, b) => a + b, 0n);
        const parts = apportion(amount, weights);
        if (total === 0n) {
          expect(parts.every((p) => p === 0n)).toBe(true);
          return;
        }
        expect(parts.reduce((a, b) => a + b, 0n)).toBe(amount);
        parts.forEach((part, i) => {
          const exactTimesTotal = amount * weights[i]!;
          const diff = part * total - exactTimesTotal;
          expect(diff > -total && diff < total).toBe(true);
        });
      }),
    );
  });
});

describe("attribution rules", () => {
  it("has an inclusive window edge: exactly N days is in, one millisecond more is out", () => {
    const click = new Date("2026-11-01T00:00:00.000Z");
    expect(withinAttributionWindow(click, new Date(click.getTime() + 30 * DAY_MS), 30)).toBe(true);
    expect(withinAttributionWindow(click, new Date(click.getTime() + 30 * DAY_MS + 1), 30)).toBe(false);
  });

  it("extends a customer's touch path without repeats, keeping the latest touches", () => {
    const prior = path("a", "b");
    expect(extendTouchPath(prior, touch("c", 2))).toEqual(path("a", "b", "c"));
    expect(extendTouchPath(prior, touch("b", 1))).toEqual(prior);
    expect(extendTouchPath("garbage", touch("a", 0))).toEqual(path("a"));
    const long = Array.from({ length: 30 }, (_, i) => touch("a", i));
    expect(extendTouchPath(long, touch("z", 99))).toHaveLength(MAX_TOUCHES);
  });
});
