// Click spamming: an affiliate fires clicks in bulk (hidden iframes, pop-unders, background requests) so that a
// share of people who later buy on their own happen to carry the affiliate's click. Its tell is the delay: most of
// the affiliate's conversions arrive long after the click, where honest referrals convert within hours.
import { z } from "zod";
import { DAY, HOUR, LIMITS } from "../traffic";
import { defineRule, pct } from "./types";

export const clickSpamming = defineRule({
  code: "click_spamming",
  title: "Click spamming",
  description: "Most of an affiliate's recent conversions arrived long after their click.",
  defaultSeverity: 45,
  params: z.object({
    lateAfterHours: z.number().min(1).max(24 * 30).default(24).describe("A conversion is late after (hours)"),
    maxLateShare: z.number().min(0.05).max(1).default(0.6).describe("Largest share of late conversions (0-1)"),
    minConversions: z.number().int().min(1).max(LIMITS.recentConversionsPerAffiliate).default(10).describe("Conversions needed before judging"),
    windowDays: z.number().int().min(1).max(LIMITS.historyMs / DAY).default(7).describe("Look-back (days)"),
  }),
  check({ candidate, traffic, now }, p) {
    const { total, late } = traffic.conversionDelays(candidate.affiliateId, now - p.windowDays * DAY, p.lateAfterHours * HOUR);
    if (total < p.minConversions || late / total <= p.maxLateShare) return null;
    return {
      explanation: `${late} of this affiliate's ${total} conversions in the last ${p.windowDays} days arrived more than ${p.lateAfterHours} h after the click (${pct(late / total)}, limit ${pct(p.maxLateShare)})`,
      evidence: { conversions: total, late, share: late / total, lateAfterHours: p.lateAfterHours, windowDays: p.windowDays },
    };
  },
});
