// Conversion-rate anomaly: the affiliate's recent conversion rate far from both their own baseline and the
// program's. Far above: fake or incentivised conversions; far below with many clicks: junk or spammed clicks.
// "Far" is a factor on expected counts (recent clicks × baseline rate), with minimum volumes so a quiet day's
// Poisson noise is not mistaken for fraud.
import { z } from "zod";
import { HOUR, LIMITS } from "../traffic";
import { defineRule } from "./types";

export const conversionRateAnomaly = defineRule({
  code: "conversion_rate_anomaly",
  title: "Conversion-rate anomaly",
  description: "An affiliate's recent conversion rate is far from both their own baseline and the program's.",
  defaultSeverity: 40,
  params: z.object({
    recentHours: z.number().int().min(1).max(72).default(24).describe("Recent window (hours)"),
    factor: z.number().min(1.5).max(100).default(3).describe("How many times above/below the baselines"),
    minBaselineClicks: z.number().int().min(10).max(10_000_000).default(500).describe("Baseline clicks needed"),
    minConversions: z.number().int().min(1).max(100_000).default(10).describe("Recent conversions needed to call a rate too high"),
    minExpectedConversions: z.number().min(1).max(100_000).default(20).describe("Expected conversions needed to call a rate too low"),
  }),
  check({ candidate, traffic, now }, p) {
    const recentMs = Math.min(p.recentHours * HOUR, LIMITS.historyMs / 2);
    const { affiliate, program } = traffic.conversionRates(candidate.affiliateId, recentMs, now);
    if (!affiliate || affiliate.baselineClicks < p.minBaselineClicks) return null;
    const programClicks = program.recentClicks + program.baselineClicks;
    if (programClicks < p.minBaselineClicks) return null;
    const ownRate = affiliate.baselineConversions / affiliate.baselineClicks;
    const programRate = (program.recentConversions + program.baselineConversions) / programClicks;
    const observed = affiliate.recentConversions;
    const expectedOwn = affiliate.recentClicks * ownRate;
    const expectedProgram = affiliate.recentClicks * programRate;
    const rate = affiliate.recentClicks ? observed / affiliate.recentClicks : Infinity;
    const evidence = {
      recentHours: p.recentHours,
      recentClicks: affiliate.recentClicks,
      recentConversions: observed,
      rate: Number.isFinite(rate) ? rate : null,
      ownBaselineRate: ownRate,
      programRate,
      factor: p.factor,
    };
    const fmt = (r: number) => (Number.isFinite(r) ? `${(r * 100).toFixed(2)}%` : "no clicks");
    const high = observed >= p.minConversions && observed >= p.factor * Math.max(expectedOwn, expectedProgram);
    if (high) {
      return {
        explanation: `conversion rate ${fmt(rate)} over the last ${p.recentHours} h (${observed} of ${affiliate.recentClicks} clicks), over ${p.factor}× this affiliate's usual ${fmt(ownRate)} and the program's ${fmt(programRate)}`,
        evidence: { ...evidence, direction: "high" },
      };
    }
    const expected = Math.min(expectedOwn, expectedProgram);
    const low = expected >= p.minExpectedConversions && observed * p.factor <= expected;
    if (low) {
      return {
        explanation: `conversion rate ${fmt(rate)} over the last ${p.recentHours} h (${observed} of ${affiliate.recentClicks} clicks), under 1/${p.factor} of this affiliate's usual ${fmt(ownRate)} and the program's ${fmt(programRate)}`,
        evidence: { ...evidence, direction: "low" },
      };
    }
    return null;
  },
});
