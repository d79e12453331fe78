import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type TouchLink, DAY_MS, MAX_TOUCHES, buildTouchPath, checkTouches, withinAttributionWindow } from "./attribution";
import { CREDIT_MODELS, type Touch, apportion, creditByAffiliate } from "./credit";

const touch = (affiliateId: string, i: number): Touch => ({ clickId: `c${i}`, affiliateId, at: new Date(Date.UTC(2026, 10, 1 + i)).toISOString() });
const path = (...affiliates: string[]) => affiliates.map(touch);
const amounts = (credits: { amountMinor: bigint }[]) => credits.map((c) => c.amountMinor);

describe("credit models", () => {
  it("gives everything to the first touch under first click", () => {
    expect(creditByAffiliate(1000n, ["a", "b", "c"], "first_click")).toEqual([
      { affiliateId: "a", amountMinor: 1000n },
      { affiliateId: "b", amountMinor: 0n },
      { affiliateId: "c", amountMinor: 0n },
    ]);
  });

  it("splits linearly, the odd cent to the earliest touch", () => {
    expect(amounts(creditByAffiliate(1000n, ["a", "b", "c"], "linear"))).toEqual([334n, 333n, 333n]);
  });

  it("is U-shaped for position-based: 40/20/40, 50/50 with two touches, all with one", () => {
    expect(amounts(creditByAffiliate(1000n, ["a", "b", "c"], "position_based"))).toEqual([400n, 200n, 400n]);
    expect(amounts(creditByAffiliate(1000n, ["a", "b", "c", "d"], "position_based"))).toEqual([400n, 100n, 100n, 400n]);
    expect(amounts(creditByAffiliate(999n, ["a", "b"], "position_based"))).toEqual([500n, 499n]);
    expect(creditByAffiliate(999n, ["a"], "position_based")).toEqual([{ affiliateId: "a", amountMinor: 999n }]);
  });

  it("adds up an affiliate's touches", () => {
    expect(creditByAffiliate(900n, ["a", "b", "a"], "linear")).toEqual([
      { affiliateId: "a", amountMinor: 600n },
      { affiliateId: "b", amountMinor: 300n },
    ]);
  });

  it("always distributes exactly the whole amount, never a negative part (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.array(fc.constantFrom("a", "b", "c", "d"), { minLength: 1, maxLength: 25 }),
        fc.constantFrom(...CREDIT_MODELS),
        (amount, affiliates, model) => {
          const credits = creditByAffiliate(amount, affiliates, model);
          expect(credits.reduce((sum, c) => sum + c.amountMinor, 0n)).toBe(amount);
          for (const c of credits) expect(c.amountMinor === 0n || c.amountMinor < 0n === amount < 0n).toBe(true);
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

  it("builds the path from the customer's earlier path, the sent touches, then the paid click, each click once", () => {
    const prior = path("a", "b");
    expect(buildTouchPath(prior, [], touch("c", 2))).toEqual(path("a", "b", "c"));
    expect(buildTouchPath(prior, [], touch("b", 1))).toEqual([touch("a", 0), touch("b", 1)]);
    expect(buildTouchPath("garbage", [], touch("a", 0))).toEqual(path("a"));
    expect(buildTouchPath(null, [touch("x", 5), touch("y", 6), touch("x", 5)], touch("z", 7))).toEqual([touch("x", 5), touch("y", 6), touch("z", 7)]);
    // The paid click is last even when a touch repeats it.
    expect(buildTouchPath([touch("a", 0)], [touch("z", 7), touch("b", 1)], touch("z", 7))).toEqual([touch("a", 0), touch("b", 1), touch("z", 7)]);
    expect(buildTouchPath(prior, [], null)).toEqual(prior);
  });

  it("keeps the first touch and the most recent ones beyond MAX_TOUCHES", () => {
    const long = Array.from({ length: 30 }, (_, i) => touch(`a${i}`, i));
    const kept = buildTouchPath(long, [touch("t", 40)], touch("z", 99));
    expect(MAX_TOUCHES).toBe(20);
    // 32 touches: the first, then the latest 19 (a13…a29, the sent touch, the paid click).
    expect(kept.map((t) => t.affiliateId)).toEqual(["a0", ...Array.from({ length: 17 }, (_, i) => `a${13 + i}`), "t", "z"]);
  });

  it("keeps a sent touch only when it verifies, is this merchant's and inside its offer's window", () => {
    const now = new Date("2026-11-21T12:00:00.000Z");
    const links = new Map<number, TouchLink>([
      [1, { id: 1, affiliateId: "aff-1", merchantId: "m", windowDays: 7 }],
      [2, { id: 2, affiliateId: "aff-2", merchantId: "other", windowDays: 30 }],
    ]);
    const at = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const result = checkTouches(
      [
        { clickId: "kept", verified: { ok: true, linkId: 1, clickedAt: at(7) } },
        { clickId: "forged", verified: { ok: false, error: "bad_signature" } },
        { clickId: "foreign", verified: { ok: true, linkId: 2, clickedAt: at(1) } },
        { clickId: "old", verified: { ok: true, linkId: 1, clickedAt: new Date(at(7).getTime() - 1) } },
        { clickId: "gone", verified: { ok: true, linkId: 3, clickedAt: at(1) } },
      ],
      links,
      "m",
      now,
    );
    expect(result.kept).toEqual([{ clickId: "kept", affiliateId: "aff-1", at: at(7).toISOString() }]);
    expect(result.leftOut).toEqual([
      { clickId: "forged", reason: "its signature does not match" },
      { clickId: "foreign", reason: "it is a click on another merchant's offer" },
      { clickId: "old", reason: "it is older than its offer's 7-day attribution window" },
      { clickId: "gone", reason: "its link no longer exists" },
    ]);
  });
});
