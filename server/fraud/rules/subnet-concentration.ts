// Clicks concentrated in one subnet, judged on small samples: the converting click's /24 (IPv6 /64) holds far more
// of this affiliate's recent clicks than that subnet's share of the whole program's clicks would explain — a click
// farm or a proxy on one connection, caught at 20 clicks instead of the 200 `click_farm` waits for. A subnet many
// people share (a mobile carrier's NAT) has a large program share, so its visitors are not flagged; `minShare`
// keeps one busy office among many visitors from counting.
import { z } from "zod";
import { SIGNAL, capEvidence } from "../combined";
import { binomialEvidence, oddsText, smoothedRate } from "../stats";
import { HOUR, LIMITS } from "../traffic";
import { defineRule, maskIp, pct } from "./types";

export const subnetConcentration = defineRule({
  code: "subnet_concentration",
  title: "Clicks concentrated in one subnet (small samples)",
  description: "The converting click's subnet holds far more of the affiliate's recent clicks than its share of the program's clicks.",
  defaultSeverity: 50,
  params: z.object({
    minClicks: z.number().int().min(2).max(100_000).default(5).describe("Clicks from the subnet needed before judging"),
    minShare: z.number().min(0.05).max(1).default(0.3).describe("Share of the affiliate's clicks from the subnet (0-1)"),
    factor: z.number().min(1).max(1000).default(10).describe("Margin over the subnet's share of the program's clicks"),
    minEvidence: z.number().min(1).max(50).default(5).describe("Evidence needed, log10 odds"),
    priorShare: z.number().min(0.00001).max(1).default(0.002).describe("Share assumed for a subnet the program has not seen"),
  }),
  check({ candidate, click, traffic, now, signals }, p) {
    if (!click?.subnet) return null;
    const s = traffic.subnetShare(candidate.affiliateId, click.subnet, now);
    const clicks = Math.max(s.affiliateClicks, s.affiliateFromSubnet);
    if (s.affiliateFromSubnet < p.minClicks) return null; // every click comes from some subnet: one or two prove nothing
    // The program's share without this affiliate's own clicks (else a farm makes its subnet look common).
    const share = smoothedRate(s.programFromSubnet - s.affiliateFromSubnet, s.programClicks - clicks, p.priorShare, 1000);
    const evidence = binomialEvidence(s.affiliateFromSubnet, clicks, Math.min(1, p.factor * share));
    signals[SIGNAL.subnetConcentration] = capEvidence(evidence);
    if (evidence < p.minEvidence || s.affiliateFromSubnet / clicks < p.minShare) return null;
    const hours = LIMITS.subnetRateWindowMs / HOUR;
    const tail = `in the last ${hours} h came from one subnet`;
    const rest = `which brings ${(share * 100).toFixed(2)}% of the rest of the program's clicks: honest traffic does that ${oddsText(evidence)} times`;
    return {
      explanation: `${s.affiliateFromSubnet} of this affiliate's ${clicks} clicks ${tail}, ${click.subnet} (${pct(s.affiliateFromSubnet / clicks)}), ${rest}`,
      publicExplanation: `${s.affiliateFromSubnet} of this affiliate's ${clicks} clicks ${tail} (${maskIp(click.ip)}, ${pct(s.affiliateFromSubnet / clicks)}), ${rest}`,
      evidence: { signal: "subnet_concentration", subnet: click.subnet, fromSubnet: s.affiliateFromSubnet, clicks, programShare: share, evidence, minEvidence: p.minEvidence },
    };
  },
});
