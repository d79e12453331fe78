// Self-referral and duplicate customers: the affiliate buying through their own links (an IP they signed in from, or
// an IP or customer id a manager listed as theirs) or posing as many customers (one IP or one customer id converting
// again and again).
import { z } from "zod";
import { customerKey } from "../identity";
import { DAY, HOUR, LIMITS } from "../traffic";
import { defineRule, maskIp, ownIpList } from "./types";

export const selfReferral = defineRule({
  code: "self_referral",
  title: "Self-referral and duplicate customers",
  description: "The conversion's IP or customer id is the affiliate's own, or one IP/customer converts repeatedly.",
  defaultSeverity: 80,
  params: z.object({
    knownIdentities: z.boolean().default(true).describe("Match the affiliate's known IPs and customer ids"),
    maxConversionsPerIp: z.number().int().min(1).max(10_000).default(5).describe("Most conversions from one IP"),
    maxConversionsPerCustomer: z.number().int().min(1).max(10_000).default(3).describe("Most conversions of one customer id"),
    windowHours: z.number().int().min(1).max(LIMITS.repeatWindowMs / HOUR).default(24).describe("Repeat window (hours)"),
  }),
  check({ candidate, click, affiliate, traffic, now }, p) {
    const { ip, customerId, affiliateId } = candidate;
    if (p.knownIdentities && affiliate) {
      for (const [source, address] of [["conversion", ip], ["click", click?.ip ?? null]] as const) {
        const list = ownIpList(affiliate, address);
        if (!list) continue;
        const listed = list === "sign-in" ? "an IP this affiliate signed in from" : "a known IP of this affiliate";
        return {
          explanation: `the ${source} came from ${address}, ${listed}`,
          publicExplanation: `the ${source} came from ${list === "sign-in" ? "an IP address this affiliate signed in from" : "one of this affiliate's known IP addresses"}`,
          evidence: { signal: "known_ip", source, ip: address, list },
        };
      }
      if (customerId && affiliate.knownCustomers.has(customerKey(customerId) ?? "")) {
        return {
          explanation: `customer ${customerId} is a known account of this affiliate`,
          publicExplanation: "the customer is a known account of this affiliate",
          evidence: { signal: "known_customer", customerId },
        };
      }
    }
    const windowMs = Math.min(p.windowHours * HOUR, DAY);
    const repeats = traffic.repeats(affiliateId, ip, customerId, windowMs, now);
    if (repeats.fromIp > p.maxConversionsPerIp) {
      const limit = `within ${p.windowHours} h (limit ${p.maxConversionsPerIp})`;
      return {
        explanation: `${repeats.fromIp} conversions for this affiliate from IP ${ip} ${limit}`,
        publicExplanation: `${repeats.fromIp} conversions for this affiliate from one IP address (${maskIp(ip)}) ${limit}`,
        evidence: { signal: "repeated_ip", ip, conversions: repeats.fromIp, windowHours: p.windowHours },
      };
    }
    if (repeats.forCustomer > p.maxConversionsPerCustomer) {
      const limit = `for this affiliate within ${p.windowHours} h (limit ${p.maxConversionsPerCustomer})`;
      return {
        explanation: `${repeats.forCustomer} conversions of customer ${customerId} ${limit}`,
        publicExplanation: `${repeats.forCustomer} conversions of one customer ${limit}`,
        evidence: { signal: "repeated_customer", customerId, conversions: repeats.forCustomer, windowHours: p.windowHours },
      };
    }
    return null;
  },
});
