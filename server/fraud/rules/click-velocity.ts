// Too many clicks from one IP, or from its /24 (/48 for IPv6), on one affiliate's links in a short window: a script
// or a single person refreshing links to manufacture traffic. Counted when the click happens (the window has moved
// on by the time a conversion arrives) and read back from the click's traits.
import { z } from "zod";
import { LIMITS } from "../traffic";
import { defineRule, maskIp } from "./types";

export const clickVelocity = defineRule({
  code: "click_velocity",
  title: "Click velocity",
  description: "Too many clicks from one IP or its /24 subnet on one affiliate's links in a short window.",
  defaultSeverity: 50,
  params: z.object({
    windowSeconds: z.number().int().min(10).max(LIMITS.velocityWindowMs / 1000).default(60).describe("Window (seconds)"),
    maxClicksPerIp: z.number().int().min(1).max(100_000).default(10).describe("Most clicks from one IP in the window"),
    maxClicksPerSubnet: z.number().int().min(1).max(100_000).default(40).describe("Most clicks from one /24 in the window"),
  }),
  check({ click }, p) {
    // A click read from its row has no velocity: the counts at click time are not stored.
    if (!click || click.ipClicks === null || click.subnetClicks === null) return null;
    const windowSeconds = Math.round(click.velocityWindowMs / 1000);
    const evidence = {
      ip: click.ip,
      subnet: click.subnet,
      ipClicks: click.ipClicks,
      subnetClicks: click.subnetClicks,
      windowSeconds,
      maxClicksPerIp: p.maxClicksPerIp,
      maxClicksPerSubnet: p.maxClicksPerSubnet,
    };
    const within = `on this affiliate's links within ${windowSeconds} s`;
    if (click.ipClicks > p.maxClicksPerIp) {
      return {
        explanation: `${click.ipClicks} clicks from IP ${click.ip} ${within} (limit ${p.maxClicksPerIp})`,
        publicExplanation: `${click.ipClicks} clicks from one IP address (${maskIp(click.ip)}) ${within} (limit ${p.maxClicksPerIp})`,
        evidence,
      };
    }
    if (click.subnetClicks > p.maxClicksPerSubnet) {
      return {
        explanation: `${click.subnetClicks} clicks from subnet ${click.subnet} ${within} (limit ${p.maxClicksPerSubnet})`,
        publicExplanation: `${click.subnetClicks} clicks from one subnet ${within} (limit ${p.maxClicksPerSubnet})`,
        evidence,
      };
    }
    return null;
  },
});
