// A sale seconds after the click: no person finds a product, fills a cart and pays that fast. The click was fired
// at checkout by an extension, injected script or stuffed cookie to claim a sale that would have happened anyway.
import { z } from "zod";
import { defineRule, secondsText } from "./types";

export const fastConversion = defineRule({
  code: "fast_conversion",
  title: "Click-to-conversion too short",
  description: "The conversion arrived too soon after its click (injection, extension hijacking, cookie stuffing).",
  defaultSeverity: 60,
  params: z.object({
    minSeconds: z.number().min(1).max(3600).default(10).describe("Shortest believable click-to-conversion time (seconds)"),
  }),
  check({ now, clickedAt }, p) {
    const delayMs = Math.max(0, now - clickedAt);
    if (delayMs >= p.minSeconds * 1000) return null;
    return {
      explanation: `the conversion arrived ${secondsText(delayMs)} after the click (minimum ${p.minSeconds} s)`,
      evidence: { delayMs, minSeconds: p.minSeconds, clickedAt: new Date(clickedAt).toISOString() },
    };
  },
});
