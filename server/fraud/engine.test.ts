// The engine against synthetic traffic: honest traffic shaped like the demo program passes (< 1% flagged), and
// every attack pattern is caught by the rule made for it. Pure: no database.
import { describe, expect, it } from "vitest";
import { FraudEngine } from "./engine";
import {
  type Actor,
  type SimEvent,
  clickFarmAttack,
  clickSpammingAttack,
  conversionRateAttack,
  duplicateCustomerAttack,
  fastConversionAttack,
  honestTraffic,
  merge,
  nonHumanAttack,
  seededRandom,
  selfReferralAttack,
  synchronizedBurstAttack,
  velocityAttack,
} from "./simulate";
import { STARTER_BLOCKLIST } from "./starter-blocklist";
import { DAY, HOUR, MINUTE } from "./traffic";
import type { FraudVerdict } from "./types";

const START = Date.UTC(2026, 10, 1);
const END = START + 7 * DAY;
const honestActors: Actor[] = Array.from({ length: 20 }, (_, i) => ({ affiliateId: `honest-${i}` }));

function engine() {
  const e = new FraudEngine({ log: () => {} });
  e.setBlocklist(STARTER_BLOCKLIST);
  return e;
}

/** Feeds events in time order; returns each conversion's verdict by click id. */
function run(e: FraudEngine, events: SimEvent[]) {
  const verdicts = new Map<string, FraudVerdict & { affiliateId: string }>();
  for (const event of events) {
    if (event.kind === "click") e.recordClick(event.click);
    else verdicts.set(event.candidate.clickId, { ...e.evaluate(event.candidate), affiliateId: event.candidate.affiliateId });
  }
  return verdicts;
}

const conversionsOf = (events: SimEvent[]) => events.filter((e) => e.kind === "conversion").map((e) => e.candidate.clickId);

// A week of honest background traffic (about 45k clicks, 1.3k conversions), as the attacks' camouflage.
const background = honestTraffic({ affiliates: honestActors, from: START, to: END, clicksPerHour: 14, conversionRate: 0.03, random: seededRandom(42) });

describe("honest traffic", () => {
  it("flags fewer than 1% of conversions", () => {
    const verdicts = run(engine(), background);
    expect(verdicts.size).toBeGreaterThan(1000);
    const flagged = [...verdicts.values()].filter((v) => v.decision !== "PASS");
    expect(flagged.length / verdicts.size).toBeLessThan(0.01);
  });
});

describe("attacks", () => {
  const at = START + 6 * DAY + 3 * HOUR;

  /** Runs the attack inside the honest background and returns the verdicts of the attack's conversions. */
  function caught(attack: SimEvent[], setup: (e: FraudEngine) => void = () => {}) {
    const e = engine();
    setup(e);
    const verdicts = run(e, merge(background, attack));
    return conversionsOf(attack).map((id) => verdicts.get(id)!);
  }

  const codes = (v: FraudVerdict) => v.flags.map((f) => f.code);

  it("click_velocity: one IP hammering an affiliate's links", () => {
    const [verdict] = caught(velocityAttack({ affiliateId: "fraud-velocity" }, at, seededRandom(1)));
    expect(verdict!.decision).not.toBe("PASS");
    expect(codes(verdict!)).toContain("click_velocity");
    expect(verdict!.flags.find((f) => f.code === "click_velocity")!.explanation).toMatch(/^30 clicks from IP .* within 60 s \(limit 10\)$/);
  });

  it("non_human: headless browser, cloud data centre, known bot", () => {
    const verdicts = caught(nonHumanAttack({ affiliateId: "fraud-bots" }, at));
    expect(verdicts.map((v) => v.flags.find((f) => f.code === "non_human")?.evidence.signal)).toEqual([
      "headless_browser",
      "blocked_ip",
      "bot_user_agent",
    ]);
    expect(verdicts.every((v) => v.decision === "HOLD")).toBe(true);
    expect(verdicts[1]!.reason).toContain("35.184.0.0/13 (Google Cloud (us-central1))");
  });

  it("fast_conversion: a sale 3 s after the click", () => {
    const [verdict] = caught(fastConversionAttack({ affiliateId: "fraud-fast" }, at, seededRandom(2)));
    expect(codes(verdict!)).toEqual(["fast_conversion"]);
    expect(verdict!.decision).toBe("HOLD");
    expect(verdict!.reason).toBe("the conversion arrived 3.0 s after the click (minimum 10 s)");
  });

  it("click_spamming: most conversions days after the click", () => {
    const verdicts = caught(clickSpammingAttack({ affiliateId: "fraud-spam" }, START + 2 * DAY, seededRandom(3)));
    // Judged once the affiliate has 10 conversions: from then on every one is flagged.
    const judged = verdicts.slice(-3);
    for (const v of judged) expect(codes(v)).toContain("click_spamming");
    expect(judged.every((v) => v.decision !== "PASS")).toBe(true);
  });

  it("self_referral: the affiliate's own IP, and one customer converting again and again", () => {
    const actor = { affiliateId: "fraud-self" };
    const [own] = caught(selfReferralAttack(actor, at, seededRandom(4), "86.140.1.2"), (e) =>
      e.setAffiliateIdentities([{ id: actor.affiliateId, knownIps: ["86.140.1.2"], knownCustomers: [] }]),
    );
    expect(codes(own!)).toContain("self_referral");
    expect(own!.reason).toBe("the conversion came from 86.140.1.2, a known IP of this affiliate");

    const repeated = caught(duplicateCustomerAttack({ affiliateId: "fraud-dupes" }, at, seededRandom(5), 5));
    expect(repeated.slice(0, 3).every((v) => !codes(v).includes("self_referral"))).toBe(true);
    expect(codes(repeated[3]!)).toContain("self_referral");
    expect(repeated[4]!.flags.find((f) => f.code === "self_referral")!.evidence).toMatchObject({ signal: "repeated_customer", conversions: 5 });
  });

  it("synchronized_burst: four affiliates jump in the same minute", () => {
    const ring = [0, 1, 2, 3].map((i) => ({ affiliateId: `fraud-ring-${i}` }));
    const verdicts = caught(synchronizedBurstAttack(ring, at, seededRandom(6)));
    for (const v of verdicts) expect(codes(v)).toContain("synchronized_burst");
    expect(verdicts[0]!.flags.find((f) => f.code === "synchronized_burst")!.evidence).toMatchObject({ affiliateCount: 4 });
  });

  it("a lone affiliate's burst is not a synchronised one", () => {
    const verdicts = caught(synchronizedBurstAttack([{ affiliateId: "viral-post" }], at, seededRandom(7)));
    expect(codes(verdicts[0]!)).not.toContain("synchronized_burst");
  });

  it("click_farm: hundreds of clicks from three subnets", () => {
    const [verdict] = caught(clickFarmAttack({ affiliateId: "fraud-farm" }, at, seededRandom(8)));
    expect(codes(verdict!)).toContain("click_farm");
    expect(verdict!.flags.find((f) => f.code === "click_farm")!.evidence).toMatchObject({ kind: "subnets" });
  });

  it("conversion_rate_anomaly: ten times the usual rate over the last day", () => {
    const verdicts = caught(conversionRateAttack({ affiliateId: "fraud-cr" }, START, START + 6 * DAY, seededRandom(9)));
    const lastFew = verdicts.slice(-5);
    for (const v of lastFew) expect(codes(v)).toContain("conversion_rate_anomaly");
    // Before the jump the same affiliate was fine.
    expect(verdicts.slice(20, 40).some((v) => codes(v).includes("conversion_rate_anomaly"))).toBe(false);
  });
});

describe("settings", () => {
  const actor = { affiliateId: "fraud-settings" };

  it("a disabled rule does not fire; severity and thresholds decide the outcome", () => {
    const e = engine();
    const attack = fastConversionAttack(actor, START + HOUR, seededRandom(10));
    const baseRows = [{ code: "fast_conversion", enabled: true, severity: 35, params: { minSeconds: 10 } }];

    e.setConfig(baseRows);
    expect(run(e, attack).values().next().value!.decision).toBe("REVIEW");

    e.setConfig([...baseRows, { code: "risk_thresholds", enabled: true, severity: 0, params: { reviewAt: 50, holdAt: 90 } }]);
    expect(run(e, fastConversionAttack(actor, START + 2 * HOUR, seededRandom(11))).values().next().value!.decision).toBe("PASS");

    e.setConfig([{ code: "fast_conversion", enabled: false, severity: 100, params: {} }]);
    expect(run(e, fastConversionAttack(actor, START + 3 * HOUR, seededRandom(12))).values().next().value!.flags).toEqual([]);

    e.setConfig([{ code: "fast_conversion", enabled: true, severity: 60, params: { minSeconds: 2 } }]);
    expect(run(e, fastConversionAttack(actor, START + 4 * HOUR, seededRandom(13))).values().next().value!.decision).toBe("PASS");
  });

  it("invalid stored params fall back to the rule's defaults, reported, never thrown", () => {
    const warnings: string[] = [];
    const e = new FraudEngine({ log: (line) => warnings.push(line) });
    e.setConfig([{ code: "fast_conversion", enabled: true, severity: 60, params: { minSeconds: "soon" } }]);
    expect(warnings.join()).toMatch(/fast_conversion: stored params are invalid/);
    const [verdict] = [...run(e, fastConversionAttack(actor, START + 5 * HOUR, seededRandom(14))).values()];
    expect(verdict!.flags[0]!.evidence).toMatchObject({ minSeconds: 10 });
  });

  it("a retried evaluation of the same conversion is counted once", () => {
    const e = engine();
    const events = duplicateCustomerAttack(actor, START, seededRandom(15), 1);
    run(e, events);
    run(e, events.filter((x) => x.kind === "conversion"));
    expect(e.traffic.repeats(actor.affiliateId, null, "cust-same-person", DAY, START + HOUR).forCustomer).toBe(1);
  });

  it("remembers only notable clicks: repeats, bots, automated browsers, blocked IPs", () => {
    const e = engine();
    const ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0.0.0 Safari/537.36";
    const base = { affiliateId: actor.affiliateId, billable: true, isBot: false };
    e.recordClick({ ...base, clickId: "plain", at: START, ip: "86.140.1.1", userAgent: ua });
    e.recordClick({ ...base, clickId: "again", at: START + 1000, ip: "86.140.1.1", userAgent: ua });
    e.recordClick({ ...base, clickId: "bot", at: START, ip: "90.12.1.1", userAgent: "Googlebot/2.1", isBot: true });
    e.recordClick({ ...base, clickId: "headless", at: START, ip: "79.141.1.1", userAgent: "HeadlessChrome/131" });
    e.recordClick({ ...base, clickId: "cloud", at: START, ip: "3.90.1.1", userAgent: ua });
    expect(["plain", "again", "bot", "headless", "cloud"].map((id) => e.traffic.click(id) !== undefined)).toEqual([false, true, true, true, true]);
  });

  it("an unknown click is judged on what the candidate carries", () => {
    const e = engine();
    const verdict = e.evaluate({
      merchantId: "m",
      offerId: "o",
      affiliateId: actor.affiliateId,
      linkId: 1,
      clickId: "never-seen",
      clickedAt: new Date(START),
      receivedAt: new Date(START + 30 * MINUTE),
      customerId: null,
      ip: "34.100.1.1",
      amountMinor: 100,
      currency: "EUR",
    });
    expect(verdict.flags.map((f) => f.code)).toEqual(["non_human"]);
    expect(verdict.reason).toBe("the conversion came from 34.100.1.1, inside 34.64.0.0/10 (Google Cloud), a blocked data-centre range");
  });
});
