// Conversions arriving faster than clicks convert: how many of the clicks on an affiliate's links in the last hours
// already converted, against how many the program's buyers would have converted by now. Each click is expected to
// convert at the affiliate's expected rate (see ./expected-rate) × the share of the program's conversions that come
// within that click's age (the program's own click-to-conversion times): a click made ten minutes ago has had ten
// minutes to convert, not a day. Clicks from everywhere that all convert within minutes — proxies, a browser mix,
// nothing bunched — are decisive after a handful of sales this way, long before their day's rate is; an honest
// affiliate's peak brings more clicks and so more expected sales, and is not flagged.
import { z } from "zod";
import { SIGNAL, capEvidence } from "../combined";
import { binomialEvidence, oddsText } from "../stats";
import { HOUR, LIMITS, MINUTE, pacePriorCurve } from "../traffic";
import { defineRule, pct } from "./types";
import { expectedConversionRate, expectedRateParams } from "./expected-rate";

/** The assumed curve of a new program's buyers, per `priorMinutes` (computed once per setting, not per conversion). */
const priorCurves = new Map<number, Float64Array>();
function priorCurve(minutes: number): Float64Array {
  let curve = priorCurves.get(minutes);
  if (!curve) {
    if (priorCurves.size > 16) priorCurves.clear();
    priorCurves.set(minutes, (curve = pacePriorCurve((age) => 1 - Math.exp(-age / (minutes * MINUTE)))));
  }
  return curve;
}

export const conversionPace = defineRule({
  code: "conversion_pace",
  title: "Conversions faster than clicks convert",
  description:
    "More of an affiliate's clicks of the last hours already converted than the program's buyers would have by now — at the affiliate's usual rate and as quickly as the program's buyers buy. Catches every click converting from scattered IPs and browsers long before a day's conversion rate shows it.",
  defaultSeverity: 60,
  params: z.object({
    windowHours: z.number().int().min(1).max(LIMITS.paceWindowMs / HOUR).default(12).describe("Clicks looked at, at most (hours; the last hour and the last 3 h are judged too)"),
    factor: z.number().min(1).max(50).default(2).describe("Margin: up to this many times the expected conversions is not flagged"),
    minConversions: z.number().int().min(1).max(10_000).default(3).describe("Conversions of those clicks needed before judging"),
    minEvidence: z.number().min(1).max(50).default(3).describe("Evidence needed, log10 odds (3: honest traffic does it less than once in 1,000)"),
    ...expectedRateParams,
    priorMinutes: z.number().min(1).max(24 * 60).default(15).describe("Buyers of a new program are assumed to take about this long (minutes; shorter expects more sales, flags less)"),
    priorConversions: z.number().int().min(1).max(1_000_000).default(200).describe("Conversions that assumption is worth against the program's own click-to-conversion times"),
  }),
  check({ candidate, traffic, now, signals }, p) {
    // The last hour, the last 3 h and the whole window: a burst of sales shows best in a short window, a slow
    // trickle in a long one. Each window's evidence is discounted for the number of windows tried.
    const windowsMs = [...new Set([1, 3, p.windowHours].filter((h) => h <= p.windowHours))].map((h) => h * HOUR);
    const pace = traffic.conversionPace(candidate.affiliateId, windowsMs, now, priorCurve(p.priorMinutes), p.priorConversions);
    const programCounts = { conversions: pace.programConversions, clicks: pace.programMaturedClicks };
    const { expected } = expectedConversionRate(traffic, candidate.affiliateId, p.windowHours * HOUR, now, p, programCounts);
    const tries = Math.log10(windowsMs.length);
    let best: { hours: number; clicks: number; conversions: number; expectedConversions: number; evidence: number } | null = null;
    for (const w of pace.windows) {
      // More conversions than counted clicks: their clicks were served by another instance or before this process
      // started: nothing to judge here.
      if (w.conversions < p.minConversions || w.clicks < w.conversions) continue;
      const expectedConversions = expected * w.maturedClicks;
      const evidence = binomialEvidence(w.conversions, w.clicks, Math.min(1, (p.factor * expectedConversions) / w.clicks)) - tries;
      if (!best || evidence > best.evidence) best = { hours: w.windowMs / HOUR, clicks: w.clicks, conversions: w.conversions, expectedConversions, evidence };
    }
    if (!best) return null;
    signals[SIGNAL.conversionPace] = capEvidence(best.evidence);
    if (best.evidence < p.minEvidence) return null;
    const { hours, clicks, conversions, expectedConversions, evidence } = best;
    const text =
      `${conversions} of the ${clicks} clicks on this affiliate's links in the last ${hours} h already converted (${pct(conversions / clicks)}), ` +
      `where about ${expectedConversions.toFixed(1)} would have by now at the ${(expected * 100).toFixed(1)}% conversion rate expected of it and as quickly as the program's buyers buy: ` +
      `honest traffic does that ${oddsText(evidence)} times`;
    return {
      explanation: text,
      evidence: { signal: "conversion_pace", hours, clicks, conversions, expectedConversions, expectedRate: expected, factor: p.factor, evidence, minEvidence: p.minEvidence },
    };
  },
});
