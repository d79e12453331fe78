// One person converting as several customers: the same customer once normalized (case, spaces, plus tags, Gmail's
// dots — see ../identity) typed in different forms for one affiliate, e.g. jane+1@…, jane+2@…, j.ane@gmail.com.
// Honest repeat customers type the same address each time; a new alias per purchase is deliberate.
import { z } from "zod";
import { SIGNAL } from "../combined";
import { DAY, HOUR, LIMITS } from "../traffic";
import { defineRule } from "./types";

export const customerAliases = defineRule({
  code: "customer_aliases",
  title: "One customer under several aliases",
  description: "The same customer (email normalized: case, plus tags, Gmail dots) converted for one affiliate under different spellings.",
  defaultSeverity: 60,
  params: z.object({
    maxForms: z.number().int().min(1).max(100).default(1).describe("Most spellings of one customer"),
    windowHours: z.number().int().min(1).max(LIMITS.repeatWindowMs / HOUR).default(24).describe("Window (hours)"),
  }),
  check({ candidate, traffic, now, signals }, p) {
    if (!candidate.customerId) return null;
    const repeats = traffic.repeats(candidate.affiliateId, null, candidate.customerId, Math.min(p.windowHours * HOUR, DAY), now);
    signals[SIGNAL.customerAliases] = Math.min(5, Math.max(0, repeats.customerForms - 1));
    if (repeats.customerForms <= p.maxForms) return null;
    const text = `${repeats.forCustomer} conversions for this affiliate within ${p.windowHours} h`;
    return {
      explanation: `customer ${candidate.customerId} is one of ${repeats.customerForms} spellings of one customer (plus tags, dots, case), with ${text}`,
      publicExplanation: `one customer converted under ${repeats.customerForms} spellings of their email (plus tags, dots, case), with ${text}`,
      evidence: { signal: "customer_aliases", customerId: candidate.customerId, forms: repeats.customerForms, conversions: repeats.forCustomer, windowHours: p.windowHours },
    };
  },
});
