// Click injection, judged on the distribution of click-to-conversion times rather than one cut-off: too many of an
// affiliate's recent conversions came within 30 s or 60 s of their click, compared with the program's share (which
// is tiny: people take minutes to buy). A click fired 12 s before each sale passes a 10-s limit but not this.
import { z } from "zod";
import { SIGNAL, capEvidence } from "../combined";
import { binomialEvidence, oddsText, smoothedRate } from "../stats";
import { HOUR, LIMITS } from "../traffic";
import { defineRule, pct } from "./types";

export const clickToConversionTime = defineRule({
  code: "click_to_conversion_time",
  title: "Click-to-conversion times bunched after the click",
  description: "Too many of an affiliate's recent conversions came within 30 s or 60 s of their click compared with the program (click injection at any fixed limit).",
  defaultSeverity: 60,
  params: z.object({
    windowHours: z.number().int().min(1).max(LIMITS.historyMs / HOUR).default(24).describe("Conversions looked at (hours)"),
    minShare: z.number().min(0.05).max(1).default(0.1).describe("Share of the conversions within the time needed (0-1)"),
    floorShare: z.number().min(0.001).max(1).default(0.01).describe("Share within 60 s assumed at least (a program's share below it is read as this)"),
    minEvidence: z.number().min(1).max(50).default(4).describe("Evidence needed, log10 odds"),
  }),
  check({ candidate, traffic, now, clickedAt, signals }, p) {
    if (now - clickedAt > 60_000) return null; // this conversion is not a quick one: nothing to attribute to injection
    const mix = traffic.recentConversionMix(candidate.affiliateId, now - p.windowHours * HOUR, undefined, null);
    if (mix.total === 0) return null;
    const program = traffic.programDelays(now);
    let best: { seconds: number; within: number; expected: number; evidence: number } | null = null;
    for (const [seconds, within, programWithin] of [
      [30, mix.within30s, program.within30s],
      [60, mix.within60s, program.within60s],
    ] as const) {
      if (within / mix.total < p.minShare) continue;
      const expected = Math.max(p.floorShare * (seconds / 60), smoothedRate(programWithin, program.total, p.floorShare, 500));
      const evidence = binomialEvidence(within, mix.total, expected);
      if (!best || evidence > best.evidence) best = { seconds, within, expected, evidence };
    }
    if (best) signals[SIGNAL.clickToConversionTime] = capEvidence(best.evidence);
    if (!best || best.evidence < p.minEvidence) return null;
    return {
      explanation: `${best.within} of this affiliate's ${mix.total} conversions in the last ${p.windowHours} h came within ${best.seconds} s of their click (${pct(best.within / mix.total)}; ${(best.expected * 100).toFixed(1)}% expected from the program): honest traffic does that ${oddsText(best.evidence)} times`,
      evidence: { signal: "ctit_distribution", seconds: best.seconds, within: best.within, conversions: mix.total, expectedShare: best.expected, evidence: best.evidence, minEvidence: p.minEvidence },
    };
  },
});
