// The conversion rate expected of an affiliate, shared by the rules that judge conversions against it: the
// program's rate (a Beta prior worth `priorClicks` clicks at `priorRate` while the program is new), or the
// affiliate's own usual rate before the recent window when higher (its own clicks take over from the program's
// rate as they accumulate, `affiliatePriorClicks` being what the program's rate is worth in it).
import { z } from "zod";
import { smoothedRate } from "../stats";
import type { TrafficState } from "../traffic";

/** The priors' params, in the schema of each rule that uses them (same defaults everywhere). */
export const expectedRateParams = {
  priorRate: z.number().min(0.0001).max(1).default(0.03).describe("Conversion rate assumed for a new program"),
  priorClicks: z.number().int().min(1).max(1_000_000).default(1000).describe("Clicks the assumed rate is worth"),
  affiliatePriorClicks: z.number().int().min(1).max(1_000_000).default(200).describe("Clicks the program's rate is worth in an affiliate's own usual rate"),
};

export interface ExpectedRatePriors {
  priorRate: number;
  priorClicks: number;
  affiliatePriorClicks: number;
}

/** `programCounts`: the program's conversions and clicks to judge its rate on, when not its week's raw counts. */
export function expectedConversionRate(traffic: TrafficState, affiliateId: string, recentMs: number, now: number, p: ExpectedRatePriors, programCounts?: { conversions: number; clicks: number }) {
  const { affiliate, program } = traffic.conversionRates(affiliateId, recentMs, now);
  const counts = programCounts ?? { conversions: program.recentConversions + program.baselineConversions, clicks: program.recentClicks + program.baselineClicks };
  const programRate = smoothedRate(counts.conversions, counts.clicks, p.priorRate, p.priorClicks);
  const ownRate = affiliate ? smoothedRate(affiliate.baselineConversions, affiliate.baselineClicks, programRate, p.affiliatePriorClicks) : programRate;
  return { programRate, expected: Math.min(1, Math.max(programRate, ownRate)), affiliate };
}
