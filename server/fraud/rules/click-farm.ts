// Click farms: an affiliate's traffic concentrated in a few subnets or a few user agents (rows of identical phones
// on one connection), where real audiences spread over thousands of networks and devices. Heavy hitters come from
// Space-Saving sketches, whose lower bounds never overstate a share.
import { z } from "zod";
import { LIMITS, MINUTE } from "../traffic";
import { defineRule, pct } from "./types";

export const clickFarm = defineRule({
  code: "click_farm",
  title: "Click farms",
  description: "Many of an affiliate's clicks concentrated in a few subnets or user agents in the last hour.",
  defaultSeverity: 60,
  params: z.object({
    windowMinutes: z.number().int().min(10).max(LIMITS.farmWindowMs / MINUTE).default(60).describe("Window (minutes)"),
    minClicks: z.number().int().min(10).max(1_000_000).default(200).describe("Clicks needed before judging"),
    top: z.number().int().min(1).max(10).default(3).describe("How many top subnets / user agents to add up"),
    maxSubnetShare: z.number().min(0.05).max(1).default(0.5).describe("Largest share of the top subnets (0-1)"),
    maxUserAgentShare: z.number().min(0.05).max(1).default(0.9).describe("Largest share of the top user agents (0-1)"),
  }),
  check({ candidate, traffic, now }, p) {
    const seen = traffic.concentration(candidate.affiliateId, p.windowMinutes * MINUTE, now, p.top, p.minClicks);
    if (!seen) return null;
    for (const [kind, data, limit] of [
      ["subnets", seen.subnets, p.maxSubnetShare],
      ["user agents", seen.userAgents, p.maxUserAgentShare],
    ] as const) {
      const inTop = data.top.reduce((sum, t) => sum + t.count, 0);
      const share = inTop / data.total;
      if (share <= limit) continue;
      return {
        explanation: `${pct(share)} of this affiliate's ${data.total} clicks in the last ${p.windowMinutes} min came from ${data.top.length} ${kind} (limit ${pct(limit)})`,
        evidence: { kind, clicks: data.total, share, top: data.top.map((t) => ({ value: t.key || "(none)", clicks: t.count })), windowMinutes: p.windowMinutes },
      };
    }
    return null;
  },
});
