// Synchronised bursts: several affiliates whose click rates jump far beyond their own baselines in the same minute
// — one operator driving a network of accounts. Bursts are detected per affiliate as clicks arrive (see
// TrafficState.detectBurst); this rule asks whether the conversion's click falls near a minute where enough
// affiliates burst together.
import { z } from "zod";
import { MINUTE } from "../traffic";
import { defineRule } from "./types";

export const synchronizedBurst = defineRule({
  code: "synchronized_burst",
  title: "Synchronised bursts",
  description: "Several affiliates' click rates jumped far above their own baselines in the same minute, while most of the program's affiliates did not (a program-wide peak, e.g. a new program's first busy minute, is not a ring).",
  defaultSeverity: 60,
  params: z.object({
    minClicksPerMinute: z.number().int().min(2).max(1_000_000).default(30).describe("Clicks in a minute to count as a burst"),
    factor: z.number().min(1.5).max(1000).default(8).describe("Burst = this many times the affiliate's mean per minute"),
    minAffiliates: z.number().int().min(2).max(1000).default(3).describe("Affiliates bursting in the same minute"),
    newAffiliatePerMinute: z.number().min(0.01).max(10_000).default(0.5).describe("Baseline assumed for an affiliate with less history (clicks/min)"),
    peakShare: z.number().min(0.1).max(1).default(0.5).describe("Share of the active affiliates bursting together that makes a program-wide peak, not a ring (0-1)"),
    lookaroundMinutes: z.number().int().min(0).max(120).default(10).describe("Minutes around the click to look at"),
  }),
  check({ candidate, click, clickedAt, traffic }, p) {
    const at = click?.at ?? clickedAt;
    const around = p.lookaroundMinutes * MINUTE;
    const hit = traffic
      .burstsAround(candidate.affiliateId, at - around, at + around)
      .find((b) => b.all.length >= p.minAffiliates && b.activeShare < p.peakShare);
    if (!hit) return null;
    const { own, all } = hit;
    const minute = new Date(own.minute * MINUTE).toISOString().slice(0, 16).replace("T", " ");
    const others = all.filter((b) => b.affiliateId !== own.affiliateId);
    return {
      explanation: `this affiliate's clicks jumped to ${own.observed}/min (baseline ${own.baselinePerMinute.toFixed(1)}/min) at ${minute} UTC, in the same minute as ${others.length} other affiliate${others.length === 1 ? "" : "s"}`,
      evidence: {
        minute: new Date(own.minute * MINUTE).toISOString(),
        observed: own.observed,
        baselinePerMinute: own.baselinePerMinute,
        affiliates: all.slice(0, 20).map((b) => ({ affiliateId: b.affiliateId, observed: b.observed, baselinePerMinute: b.baselinePerMinute })),
        affiliateCount: all.length,
      },
    };
  },
});
