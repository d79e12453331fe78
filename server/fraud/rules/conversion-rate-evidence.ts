// Improbable conversion rates, judged on small samples: how unlikely the affiliate's recent conversions are — and
// those of the clicks from the converting click's subnet (/24, IPv6 /64) — if their clicks converted at `factor`×
// the rate expected of them. Expected: the program's rate (a Beta prior worth `priorClicks` clicks at `priorRate`
// while a program is new), or the affiliate's own usual rate when higher (their own clicks take over from the
// program's rate as they accumulate). 20 of 20 clicks converting against a 5 % norm is decisive at once; an honest
// affiliate a little above the norm is not flagged however large its volume (the `factor` margin).
import { z } from "zod";
import { SIGNAL, capEvidence } from "../combined";
import { binomialEvidence, oddsText } from "../stats";
import { expectedConversionRate, expectedRateParams } from "./expected-rate";
import { HOUR, LIMITS } from "../traffic";
import { defineRule, maskIp, pct } from "./types";

export const conversionRateEvidence = defineRule({
  code: "conversion_rate_evidence",
  title: "Improbable conversion rate (small samples)",
  description:
    "Too many of an affiliate's clicks (or of the clicks from one subnet) converted to be chance, even at low volume: 20 of 20 clicks converting is decisive long before 200 clicks.",
  defaultSeverity: 60,
  params: z.object({
    recentHours: z.number().int().min(1).max(72).default(12).describe("Conversions counted over the last (hours)"),
    clickLagHours: z.number().int().min(0).max(72).default(6).describe("Clicks counted from this much earlier too: sales follow clicks (hours)"),
    factor: z.number().min(1).max(50).default(2).describe("Margin: a rate up to this many times the expected one is not flagged"),
    minConversions: z.number().int().min(1).max(10_000).default(4).describe("Conversions needed before judging"),
    minEvidence: z.number().min(1).max(50).default(3).describe("Evidence needed, log10 odds (3: honest traffic does it less than once in 1,000)"),
    ...expectedRateParams,
    subnets: z.boolean().default(true).describe("Also judge the clicks from the converting click's subnet"),
  }),
  check({ candidate, click, traffic, now, signals }, p) {
    const recentMs = Math.min(p.recentHours * HOUR, LIMITS.historyMs / 2);
    const withLag = Math.min(recentMs + p.clickLagHours * HOUR, LIMITS.historyMs / 2);
    const recent = traffic.conversionRates(candidate.affiliateId, recentMs, now);
    const { programRate, expected, affiliate: own } = expectedConversionRate(traffic, candidate.affiliateId, withLag, now, p);
    if (!own || !recent.affiliate) return null;
    // More conversions than counted clicks: their clicks were served by another instance (or before this process
    // started): nothing to judge the rate on here.
    const conversions = recent.affiliate.recentConversions;
    const clicks = own.recentClicks;
    const evidence = clicks >= conversions ? binomialEvidence(conversions, clicks, Math.min(1, p.factor * expected)) : 0;
    signals[SIGNAL.conversionRate] = conversions >= p.minConversions ? capEvidence(evidence) : 0;
    const common = { factor: p.factor, programRate, expectedRate: expected, minEvidence: p.minEvidence };
    if (evidence >= p.minEvidence && conversions >= p.minConversions) {
      const text = `${conversions} conversions in the last ${p.recentHours} h on ${clicks} clicks (${pct(conversions / clicks)}), where ${(expected * 100).toFixed(1)}% is expected of this affiliate: honest traffic does that ${oddsText(evidence)} times`;
      return { explanation: text, evidence: { signal: "affiliate_rate", conversions, clicks, evidence, ...common } };
    }
    const subnet = p.subnets ? click?.subnet : null;
    if (!subnet) return null;
    const rate = traffic.subnetRate(candidate.affiliateId, subnet, now);
    const subnetClicks = rate.clicks;
    if (subnetClicks < rate.conversions || rate.conversions < p.minConversions) return null;
    const subnetEvidence = binomialEvidence(rate.conversions, subnetClicks, Math.min(1, p.factor * programRate));
    signals[SIGNAL.conversionRate] = Math.max(signals[SIGNAL.conversionRate]!, capEvidence(subnetEvidence));
    if (subnetEvidence < p.minEvidence) return null;
    const hours = LIMITS.subnetRateWindowMs / HOUR;
    const tail = `converted (${pct(rate.conversions / subnetClicks)}, the program converts ${(programRate * 100).toFixed(1)}%): honest traffic does that ${oddsText(subnetEvidence)} times`;
    return {
      explanation: `${rate.conversions} of the ${subnetClicks} clicks from subnet ${subnet} on this affiliate's links in the last ${hours} h ${tail}`,
      publicExplanation: `${rate.conversions} of the ${subnetClicks} clicks from one subnet (${maskIp(click?.ip ?? null)}) on this affiliate's links in the last ${hours} h ${tail}`,
      evidence: { signal: "subnet_rate", subnet, conversions: rate.conversions, clicks: subnetClicks, evidence: subnetEvidence, ...common },
    };
  },
});
