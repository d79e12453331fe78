// Self-referral and duplicate customers: the affiliate buying through their own links (their known IPs or customer
// ids, from their profile) or posing as many customers (one IP or one customer id converting again and again).
import { z } from "zod";
import { DAY, HOUR, LIMITS } from "../traffic";
import { defineRule } from "./types";

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
      if (ip && affiliate.knownIps.has(ip)) {
        return { explanation: `the conversion came from ${ip}, a known IP of this affiliate`, evidence: { signal: "known_ip", source: "conversion", ip } };
      }
      if (click?.ip && affiliate.knownIps.has(click.ip)) {
        return { explanation: `the click came from ${click.ip}, a known IP of this affiliate`, evidence: { signal: "known_ip", source: "click", ip: click.ip } };
      }
      if (customerId && affiliate.knownCustomers.has(customerId)) {
        return {
          explanation: `customer ${customerId} is a known account of this affiliate`,
          evidence: { signal: "known_customer", customerId },
        };
      }
    }
    const windowMs = Math.min(p.windowHours * HOUR, DAY);
    const repeats = traffic.repeats(affiliateId, ip, customerId, windowMs, now);
    if (repeats.fromIp > p.maxConversionsPerIp) {
      return {
        explanation: `${repeats.fromIp} conversions for this affiliate from IP ${ip} within ${p.windowHours} h (limit ${p.maxConversionsPerIp})`,
        evidence: { signal: "repeated_ip", ip, conversions: repeats.fromIp, windowHours: p.windowHours },
      };
    }
    if (repeats.forCustomer > p.maxConversionsPerCustomer) {
      return {
        explanation: `${repeats.forCustomer} conversions of customer ${customerId} for this affiliate within ${p.windowHours} h (limit ${p.maxConversionsPerCustomer})`,
        evidence: { signal: "repeated_customer", customerId, conversions: repeats.forCustomer, windowHours: p.windowHours },
      };
    }
    return null;
  },
});
