// Labelled traffic for measuring the engine's detection (bench/fraud-quality.ts): a program's honest traffic with a
// daily cycle and a 4× peak, and every low-and-slow attack class of issue #16 — each loud (minutes) and slow (hours,
// at about the program's normal rate), with randomized sizes, speeds and start times from a seed — run through
// FraudEngine.evaluate, the call the postback makes (evaluateConversion → judge → engine.evaluate), each
// conversion with its click's row as the postback's context read brings it. Pure and in memory.
import { FraudEngine } from "./engine";
import {
  type Actor,
  type Random,
  type SimEvent,
  browserUserAgent,
  click,
  conversion,
  honestTraffic,
  residentialIp,
  seededRandom,
} from "./simulate";
import { DAY, HOUR, MINUTE, SECOND } from "./traffic";
import type { FraudVerdict, StoredClick } from "./types";

export const ATTACK_CLASSES = ["subnet_farm", "scattered_converting", "customer_aliases", "click_injection"] as const;
export type AttackClass = (typeof ATTACK_CLASSES)[number];
export type Pace = "loud" | "slow";
/** honest: the program's traffic; cover: the honest-looking traffic of a fraudster's own account (not scored). */
export type Label = "honest" | "cover" | `${AttackClass}/${Pace}`;

export type LabelledEvent = SimEvent & { label: Label };

export interface Scenario {
  events: LabelledEvent[];
  from: number;
  to: number;
}

const between = (random: Random, lo: number, hi: number) => lo + (hi - lo) * random();
const int = (random: Random, lo: number, hi: number) => Math.floor(between(random, lo, hi + 1));
const label = (events: SimEvent[], l: Label): LabelledEvent[] => events.map((e) => Object.assign(e, { label: l }));

/** Daily cycle (night at 35 % of the evening high) with a 4× peak of one hour at `peakAt`. */
export function dailyIntensity(peakAt: number) {
  return {
    at: (t: number) => {
      const hour = (t % DAY) / HOUR;
      const cycle = 0.675 - 0.325 * Math.cos(((hour - 2) / 24) * 2 * Math.PI); // low at 02:00, high at 14:00
      return t >= peakAt && t < peakAt + HOUR ? 4 * cycle : cycle;
    },
    max: 4,
  };
}

/** Clicks spread over `span` ms from `at`, every one converting `delay()` later: the attacker's sales. */
function convertingClicks(actor: Actor, at: number, span: number, n: number, random: Random, clickOf: (i: number) => { ip: string; userAgent: string }, delay: () => number, customer?: (i: number) => string) {
  const events: SimEvent[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.round(at + (span * (i + random())) / n);
    const c = click(actor, t, clickOf(i));
    const conv = conversion(actor, c.click.clickId, t, Math.round(t + delay()), { ip: c.click.ip, ...(customer ? { customerId: customer(i) } : {}) });
    events.push(c, conv);
  }
  return events;
}

/** One attack of `kind` at `pace` starting at `at`, on `actor` (a fraudster's account, or an honest one's link). */
export function attack(kind: AttackClass, pace: Pace, actor: Actor, at: number, random: Random): SimEvent[] {
  const span = pace === "loud" ? between(random, 5, 20) * MINUTE : between(random, 4, 12) * HOUR;
  const minutes = (lo: number, hi: number) => () => between(random, lo, hi) * MINUTE;
  switch (kind) {
    case "subnet_farm": {
      // One /24, one device model, every click converting.
      const prefix = `${residentialIp(random).split(".").slice(0, 3).join(".")}`;
      const ua = browserUserAgent(random);
      return convertingClicks(actor, at, span, int(random, 15, 40), random, () => ({ ip: `${prefix}.${int(random, 1, 254)}`, userAgent: ua }), minutes(2, 25));
    }
    case "scattered_converting":
      // Proxies everywhere, a browser mix, every click converting.
      return convertingClicks(actor, at, span, int(random, 15, 40), random, () => ({ ip: residentialIp(random), userAgent: browserUserAgent(random) }), minutes(2, 40));
    case "customer_aliases": {
      // One person buying again and again as name+1@…, n.a.m.e@gmail…, from different IPs.
      const name = `mallory${int(random, 100, 9999)}`;
      const spell = (i: number) => (i % 3 === 2 ? `${name.slice(0, 3)}.${name.slice(3)}+${i}@gmail.com` : i % 3 === 1 ? `${name}+${i}@gmail.com` : `${name[0]!.toUpperCase()}${name.slice(1)}+${i}@googlemail.com`);
      const email = (i: number) => (i === 0 ? `${name}@gmail.com` : spell(i));
      return convertingClicks(actor, at, span, int(random, 5, 12), random, () => ({ ip: residentialIp(random), userAgent: browserUserAgent(random) }), minutes(3, 30), email);
    }
    case "click_injection": {
      // A click fired a fixed few seconds before each sale (over any 10-s limit), with a little jitter.
      const lead = between(random, 11, 25) * SECOND;
      const n = int(random, 20, 60);
      const events: SimEvent[] = [];
      for (let i = 0; i < n; i++) {
        const sale = Math.round(at + (span * (i + random())) / n);
        const t = Math.round(sale - lead - between(random, 0, 2) * SECOND);
        const c = click(actor, t, { ip: residentialIp(random), userAgent: browserUserAgent(random) });
        events.push(c, conversion(actor, c.click.clickId, t, sale, { ip: residentialIp(random) }));
      }
      return events;
    }
  }
}

export interface ScenarioOptions {
  seed: number;
  /** Honest affiliates, at `clicksPerHour` each on average (the program: affiliates × clicksPerHour per hour). */
  affiliates?: number;
  clicksPerHour?: number;
  /** Attacks per class and pace. */
  attacksPerKind?: number;
  days?: number;
}

/**
 * `days` of a program: the first day honest only (history), attacks spread over the rest, the 4× peak on the last
 * day. Fraudsters' own accounts carry a little cover traffic (0–4 clicks/h converting normally); click injection
 * rides on an account with ordinary organic traffic; alias abuse goes through honest affiliates' links.
 */
export function buildScenario(o: ScenarioOptions): Scenario {
  const random = seededRandom(o.seed);
  const days = o.days ?? 3;
  const from = Date.UTC(2026, 10, 2);
  const to = from + days * DAY;
  const peakAt = to - DAY + int(random, 10, 20) * HOUR;
  const honestActors: Actor[] = Array.from({ length: o.affiliates ?? 40 }, (_, i) => ({ affiliateId: `aff-${i}` }));
  const clicksPerHour = o.clicksPerHour ?? 75;
  const events: LabelledEvent[] = label(
    honestTraffic({ affiliates: honestActors, from, to, clicksPerHour, conversionRate: 0.05, random, intensity: dailyIntensity(peakAt), emails: true, sharedIps: { carrierNat: 0.2, office: 0.05 }, bots: 0.02 }),
    "honest",
  );
  let fraudster = 0;
  for (const kind of ATTACK_CLASSES) {
    for (const pace of ["loud", "slow"] as const) {
      for (let i = 0; i < (o.attacksPerKind ?? 3); i++) {
        const at = Math.round(between(random, from + DAY, to - 13 * HOUR));
        let actor: Actor;
        if (kind === "customer_aliases") actor = honestActors[int(random, 0, honestActors.length - 1)]!;
        else {
          actor = { affiliateId: `fraud-${fraudster++}` };
          const cover = kind === "click_injection" ? clicksPerHour * between(random, 0.3, 1) : between(random, 0, 4);
          events.push(...label(honestTraffic({ affiliates: [actor], from, to, clicksPerHour: cover / (0.3 + 1.4 * 0.5), conversionRate: 0.05, random, emails: true }), "cover"));
        }
        events.push(...label(attack(kind, pace, actor, at, random), `${kind}/${pace}`));
      }
    }
  }
  events.sort((a, b) => a.at - b.at);
  return { events, from, to };
}

/**
 * A new program's first busy hour and a half: no history at all, 12 affiliates starting together at once at about
 * 20 clicks/min each, then a 4× peak — honest only (issue #16: the first busy minute must not hold honest
 * conversions).
 */
export function coldStartScenario(seed: number): Scenario {
  const random = seededRandom(seed);
  const from = Date.UTC(2026, 10, 9, 9);
  const to = from + 90 * MINUTE;
  const affiliates: Actor[] = Array.from({ length: 12 }, (_, i) => ({ affiliateId: `new-${i}` }));
  const peak = { at: (t: number) => (t >= from + 45 * MINUTE ? 4 : 1), max: 4 };
  const events = label(honestTraffic({ affiliates, from, to, clicksPerHour: 1200, conversionRate: 0.05, random, intensity: peak, emails: true }), "honest");
  return { events, from, to };
}

export interface Outcome {
  label: Label;
  verdict: FraudVerdict;
}

/** Runs a scenario through a fresh engine: clicks fed as the click stream does, conversions evaluated with their row. */
export function runScenario(scenario: Scenario, engine = new FraudEngine({ log: () => {} })): Outcome[] {
  const rows = new Map<string, StoredClick>();
  const outcomes: Outcome[] = [];
  for (const e of scenario.events) {
    if (e.kind === "click") {
      engine.recordClick(e.click);
      rows.set(e.click.clickId, { at: new Date(e.click.at), ip: e.click.ip, userAgent: e.click.userAgent, isBot: e.click.isBot });
    } else {
      outcomes.push({ label: e.label, verdict: engine.evaluate(e.candidate, rows.get(e.candidate.clickId) ?? null) });
    }
  }
  return outcomes;
}

export interface Quality {
  conversions: number;
  honest: number;
  honestFlagged: number;
  falsePositiveRate: number;
  precision: number;
  perClass: { label: Label; conversions: number; flagged: number; recall: number }[];
  minRecall: number;
  /** Which rules raised the flags on honest conversions (for tuning). */
  honestRules: Map<string, number>;
}

const flagged = (v: FraudVerdict) => v.decision !== "PASS";

export function measure(outcomes: readonly Outcome[]): Quality {
  const byLabel = new Map<Label, { conversions: number; flagged: number }>();
  const honestRules = new Map<string, number>();
  for (const o of outcomes) {
    const entry = byLabel.get(o.label) ?? { conversions: 0, flagged: 0 };
    entry.conversions += 1;
    if (flagged(o.verdict)) {
      entry.flagged += 1;
      if (o.label === "honest") for (const f of o.verdict.flags) honestRules.set(f.code, (honestRules.get(f.code) ?? 0) + 1);
    }
    byLabel.set(o.label, entry);
  }
  const honest = byLabel.get("honest") ?? { conversions: 0, flagged: 0 };
  const perClass = ATTACK_CLASSES.flatMap((kind) =>
    (["loud", "slow"] as const).map((pace) => {
      const l = `${kind}/${pace}` as Label;
      const e = byLabel.get(l) ?? { conversions: 0, flagged: 0 };
      return { label: l, ...e, recall: e.conversions ? e.flagged / e.conversions : 0 };
    }),
  );
  const attackFlagged = perClass.reduce((n, c) => n + c.flagged, 0);
  return {
    conversions: outcomes.length,
    honest: honest.conversions,
    honestFlagged: honest.flagged,
    falsePositiveRate: honest.conversions ? honest.flagged / honest.conversions : 0,
    precision: attackFlagged + honest.flagged ? attackFlagged / (attackFlagged + honest.flagged) : 1,
    perClass,
    minRecall: Math.min(...perClass.map((c) => c.recall)),
    honestRules,
  };
}
