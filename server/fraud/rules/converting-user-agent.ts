// Converting clicks from one device: most of an affiliate's recent conversions came from clicks with the same user
// agent, far beyond that user agent's share of the program's clicks (a phone farm's identical handsets, one
// script). Judged by the same small-sample evidence as the conversion rate, so a handful of conversions can be
// decisive; `minShare` keeps an audience that merely leans to one device (an app's iPhone users) from being flagged.
import { z } from "zod";
import { SIGNAL, capEvidence } from "../combined";
import { binomialEvidence, oddsText, smoothedRate } from "../stats";
import { HOUR, LIMITS } from "../traffic";
import { defineRule, pct } from "./types";

export const convertingUserAgent = defineRule({
  code: "converting_user_agent",
  title: "Converting clicks from one device",
  description: "Most of an affiliate's recent conversions came from clicks with one user agent, far above its share of the program's clicks.",
  defaultSeverity: 50,
  params: z.object({
    windowHours: z.number().int().min(1).max(LIMITS.historyMs / HOUR).default(24).describe("Conversions looked at (hours)"),
    minConversions: z.number().int().min(2).max(10_000).default(3).describe("Conversions with the same user agent needed before judging"),
    minShare: z.number().min(0.2).max(1).default(0.8).describe("Share of the conversions with the same user agent (0-1)"),
    minEvidence: z.number().min(1).max(50).default(5).describe("Evidence needed, log10 odds"),
    minProgramClicks: z.number().int().min(0).max(10_000_000).default(1000).describe("Program clicks in the last day needed before judging (user agents' shares)"),
    priorShare: z.number().min(0.001).max(1).default(0.1).describe("Share assumed for a user agent the program has not seen"),
  }),
  check({ candidate, click, traffic, now, signals }, p) {
    if (!click) return null;
    const mix = traffic.recentConversionMix(candidate.affiliateId, now - p.windowHours * HOUR, click.userAgent, null);
    if (mix.sameUserAgent < p.minConversions) return null;
    const program = traffic.programUserAgentShare(click.userAgent, now);
    if (program.clicks < p.minProgramClicks) return null; // no history yet: the shares are unknown
    const share = smoothedRate(program.withUserAgent, program.clicks, p.priorShare, 100);
    const evidence = binomialEvidence(mix.sameUserAgent, mix.total, share);
    signals[SIGNAL.userAgentConcentration] = capEvidence(evidence);
    if (evidence < p.minEvidence || mix.sameUserAgent / mix.total < p.minShare) return null;
    const ua = click.userAgent ? (click.userAgent.length > 80 ? `${click.userAgent.slice(0, 77)}…` : click.userAgent) : "no user agent";
    return {
      explanation: `${mix.sameUserAgent} of this affiliate's ${mix.total} conversions in the last ${p.windowHours} h came from clicks with one user agent (${ua}), which makes ${pct(share)} of the program's clicks: honest traffic does that ${oddsText(evidence)} times`,
      evidence: { signal: "user_agent_concentration", userAgent: click.userAgent, sameUserAgent: mix.sameUserAgent, conversions: mix.total, programShare: share, evidence, minEvidence: p.minEvidence },
    };
  },
});
