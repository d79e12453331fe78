import { describe, expect, it } from "vitest";
import { planPayouts } from "./plan";

const c = (id: string, affiliateId: string, currency: string, amountMinor: number) => ({ id, affiliateId, currency, amountMinor });

describe("planPayouts", () => {
  it("pays each affiliate once per currency, netting claw-backs", () => {
    const plan = planPayouts([
      c("1", "a", "EUR", 1000),
      c("2", "a", "EUR", -300),
      c("3", "a", "USD", 250),
      c("4", "b", "EUR", 1),
    ]);
    expect(plan.payouts).toEqual([
      { affiliateId: "a", currency: "EUR", amountMinor: 700, commissionIds: ["1", "2"] },
      { affiliateId: "a", currency: "USD", amountMinor: 250, commissionIds: ["3"] },
      { affiliateId: "b", currency: "EUR", amountMinor: 1, commissionIds: ["4"] },
    ]);
    expect(plan.carriedOver).toEqual([]);
  });

  it("carries a group whose net is zero or negative over to the next run instead of paying it", () => {
    const plan = planPayouts([c("1", "a", "EUR", 500), c("2", "a", "EUR", -800), c("3", "b", "EUR", 200), c("4", "b", "EUR", -200)]);
    expect(plan.payouts).toEqual([]);
    expect(plan.carriedOver.map((p) => [p.affiliateId, p.amountMinor])).toEqual([
      ["a", -300],
      ["b", 0],
    ]);
  });
});
