// Bots and other non-human traffic: a click the click path already marked as a bot, an automated browser or HTTP
// library in the user agent, or a click or conversion from a data-centre range on the managed block list (people
// browse from homes and phones, not from cloud servers).
import { z } from "zod";
import { headlessMarker } from "../user-agent";
import { defineRule } from "./types";

export const nonHuman = defineRule({
  code: "non_human",
  title: "Bots and non-human traffic",
  description: "Bot or headless-browser user agents, or a click or conversion IP inside the managed CIDR block list.",
  defaultSeverity: 70,
  params: z.object({
    botUserAgents: z.boolean().default(true).describe("Flag clicks the click path marked as bots"),
    headlessBrowsers: z.boolean().default(true).describe("Flag headless browsers and HTTP libraries"),
    blockList: z.boolean().default(true).describe("Flag IPs inside the CIDR block list"),
  }),
  check({ click, candidate, blocklist }, p) {
    if (click && p.botUserAgents && click.isBot) {
      return {
        explanation: `the click came from a known bot user agent (${truncate(click.userAgent)})`,
        evidence: { signal: "bot_user_agent", userAgent: click.userAgent, ip: click.ip },
      };
    }
    const marker = click && p.headlessBrowsers ? headlessMarker(click.userAgent) : null;
    if (click && marker) {
      return {
        explanation: `the click came from an automated browser (${marker})`,
        evidence: { signal: "headless_browser", marker, userAgent: click.userAgent, ip: click.ip },
      };
    }
    if (!p.blockList) return null;
    for (const [who, ip] of [["click", click?.ip], ["conversion", candidate.ip]] as const) {
      const block = blocklist.match(ip);
      if (block) {
        const range = `${block.cidr} (${block.label}), a blocked data-centre range`;
        return {
          explanation: `the ${who} came from ${ip}, inside ${range}`,
          publicExplanation: `the ${who} came from an IP address inside ${range}`,
          evidence: { signal: "blocked_ip", source: who, ip, cidr: block.cidr, label: block.label },
        };
      }
    }
    return null;
  },
});

const truncate = (ua: string | null) => (!ua ? "none" : ua.length > 80 ? `${ua.slice(0, 77)}…` : ua);
