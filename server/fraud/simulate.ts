// Synthetic traffic for the engine's tests and benchmark: honest traffic shaped like the demo program (residential
// IPs, a realistic browser mix, a few percent of clicks converting, mostly within hours) and one generator per
// attack the rules target. Deterministic: every generator takes a seeded random source.
import type { TrafficClick } from "./traffic";
import { DAY, HOUR, MINUTE, SECOND } from "./traffic";
import type { ConversionCandidate } from "./types";

export type SimClick = { kind: "click"; at: number; click: TrafficClick };
export type SimConversion = { kind: "conversion"; at: number; candidate: ConversionCandidate };
export type SimEvent = SimClick | SimConversion;

export type Random = () => number;

/** mulberry32: small, fast, good enough for traffic shapes. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** Residential-looking /16s (consumer ISPs), none inside the starter block list. */
const RESIDENTIAL_PREFIXES = ["24.16", "73.92", "71.58", "98.207", "86.140", "90.12", "79.141", "92.184", "176.10", "81.56", "93.104", "109.190", "151.41", "189.6", "201.17"];

export function residentialIp(random: Random): string {
  return `${pick(random, RESIDENTIAL_PREFIXES)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
}

/** Browser mix weighted like real traffic: the top three make up about half. */
const USER_AGENTS: readonly [number, string][] = [
  [0.2, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"],
  [0.17, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"],
  [0.13, "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36"],
  [0.1, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15"],
  [0.08, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"],
  [0.08, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"],
  [0.07, "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"],
  [0.06, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"],
  [0.05, "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1"],
  [0.06, "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"],
];

export function browserUserAgent(random: Random): string {
  let r = random();
  for (const [weight, ua] of USER_AGENTS) if ((r -= weight) < 0) return ua;
  return USER_AGENTS[0]![1];
}

/** Exponential inter-arrival gap for a Poisson process of `perHour` events. */
const gap = (random: Random, perHour: number) => (-Math.log(1 - random()) / perHour) * HOUR;

/** Honest click-to-conversion delay: most within the hour, a tail over days (about 8% after 24 h). */
function honestDelay(random: Random): number {
  const r = random();
  if (r < 0.65) return 30 * SECOND + random() * 50 * MINUTE;
  if (r < 0.92) return HOUR + random() * 22 * HOUR;
  return DAY + random() * 5 * DAY;
}

let sequence = 0;
export const simClickId = (prefix = "sim") => `${prefix}-${(sequence++).toString(36)}`;

export interface Actor {
  affiliateId: string;
  merchantId?: string;
  offerId?: string;
  linkId?: number;
}

export function click(actor: Actor, at: number, fields: Partial<TrafficClick> = {}): SimClick {
  return {
    kind: "click",
    at,
    click: { clickId: simClickId(), affiliateId: actor.affiliateId, at, ip: null, userAgent: null, isBot: false, billable: true, ...fields },
  };
}

export function conversion(actor: Actor, clickId: string, clickedAt: number, at: number, fields: Partial<ConversionCandidate> = {}): SimConversion {
  return {
    kind: "conversion",
    at,
    candidate: {
      merchantId: actor.merchantId ?? "m-sim",
      offerId: actor.offerId ?? "o-sim",
      affiliateId: actor.affiliateId,
      linkId: actor.linkId ?? 1,
      clickId,
      clickedAt: new Date(clickedAt),
      receivedAt: new Date(at),
      customerId: `cust-${simClickId("c")}`,
      ip: null,
      amountMinor: 4990,
      currency: "EUR",
      txnId: `txn-${simClickId("t")}`,
      ...fields,
    },
  };
}

export interface HonestOptions {
  affiliates: readonly Actor[];
  from: number;
  to: number;
  /** Mean clicks per hour per affiliate (each affiliate gets 0.3×–1.7× of it). */
  clicksPerHour: number;
  /** Mean conversion rate (each affiliate gets 0.5×–1.5× of it). */
  conversionRate: number;
  random: Random;
  /**
   * Share of people behind a shared address: mobile carriers' NAT (a few hundred public IPs in a handful of /24s,
   * shared by every phone on the network) and offices (one IP for everyone there). 0 by default: home IPs only.
   */
  sharedIps?: { carrierNat: number; office: number };
  /** Share of extra clicks by crawlers and link checkers (bots: redirected, never billable, never converting). */
  bots?: number;
  /**
   * The click rate over time as a share of `clicksPerHour` (0–1 for a daily cycle, above 1 for a peak): clicks are
   * drawn at the highest rate and kept with probability intensity(t) / maxIntensity (thinning). Constant if unset.
   */
  intensity?: { at: (t: number) => number; max: number };
  /** Customers as emails (name.surname<n>@provider), some of them buying twice with the same address. */
  emails?: boolean;
}

/** Carrier-grade NAT pools: three carriers, each a few /24s of public addresses shared by all its phones. */
const CARRIER_POOLS = [["172.56.12", "172.56.13", "172.56.40"], ["188.29.164", "188.29.165"], ["37.166.12", "37.166.13", "37.166.14", "37.166.15"]];
/** Offices: every employee behind one address. */
const OFFICE_IPS = ["81.56.200.10", "92.184.96.4", "151.41.3.77", "86.140.250.2", "73.92.10.200", "109.190.7.1"];
const CRAWLERS = ["Googlebot/2.1 (+http://www.google.com/bot.html)", "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "facebookexternalhit/1.1", "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"];

/** Where one honest person browses from: their home, their phone's carrier NAT, or their office. */
function personIp(o: HonestOptions): string {
  const r = o.random();
  if (o.sharedIps && r < o.sharedIps.carrierNat) return `${pick(o.random, pick(o.random, CARRIER_POOLS))}.${1 + Math.floor(o.random() * 120)}`;
  if (o.sharedIps && r < o.sharedIps.carrierNat + o.sharedIps.office) return pick(o.random, OFFICE_IPS);
  return residentialIp(o.random);
}

const NAMES = ["anna", "ben", "carla", "david", "emma", "felix", "gina", "hugo", "ines", "jonas", "kim", "lena", "marc", "nora", "omar", "paula"];
const PROVIDERS = ["gmail.com", "gmail.com", "yahoo.com", "outlook.com", "web.de", "icloud.com", "orange.fr"];

/** An honest customer's email, as people write them (some with dots, a few capitalised). */
export function honestEmail(random: Random): string {
  const name = `${pick(random, NAMES)}${random() < 0.5 ? "." : ""}${pick(random, NAMES)}${Math.floor(random() * 10_000)}`;
  const email = `${name}@${pick(random, PROVIDERS)}`;
  return random() < 0.1 ? email[0]!.toUpperCase() + email.slice(1) : email;
}

/** People clicking links and some of them buying later, each from their home, phone or office IP and browser. */
export function honestTraffic(o: HonestOptions): SimEvent[] {
  const events: SimEvent[] = [];
  const maxIntensity = o.intensity?.max ?? 1;
  for (const actor of o.affiliates) {
    const rate = o.clicksPerHour * (0.3 + 1.4 * o.random()) * maxIntensity;
    const cr = o.conversionRate * (0.5 + o.random());
    let lastEmail: string | null = null;
    for (let at = o.from + gap(o.random, rate); at < o.to; at += gap(o.random, rate)) {
      if (o.intensity && o.random() * maxIntensity >= o.intensity.at(at)) continue;
      if (o.bots && o.random() < o.bots) {
        const crawler = { ip: residentialIp(o.random), userAgent: pick(o.random, CRAWLERS), isBot: true, billable: false };
        events.push(click(actor, Math.round(at) + 1, crawler));
      }
      const ip = personIp(o);
      const userAgent = browserUserAgent(o.random);
      const c = click(actor, Math.round(at), { ip, userAgent });
      events.push(c);
      if (o.random() < 0.04) events.push(click(actor, Math.round(at) + 20 * SECOND, { ip, userAgent })); // came back
      if (o.random() >= cr) continue;
      const converted = Math.round(at + honestDelay(o.random));
      if (converted >= o.to) continue;
      const sameDevice = o.random() < 0.7;
      const customer: Partial<ConversionCandidate> = {};
      if (o.emails) customer.customerId = lastEmail = lastEmail && o.random() < 0.03 ? lastEmail : honestEmail(o.random);
      events.push(conversion(actor, c.click.clickId, Math.round(at), converted, { ip: sameDevice ? ip : personIp(o), ...customer }));
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

// ---- attacks: each returns the events of one attack; the conversions are the ones that must be flagged ----

/** One IP hammering one affiliate's links, then a conversion on one of those clicks. */
export function velocityAttack(actor: Actor, at: number, random: Random, clicks = 30): SimEvent[] {
  const ip = residentialIp(random);
  const ua = browserUserAgent(random);
  const events = Array.from({ length: clicks }, (_, i) => click(actor, at + i * SECOND, { ip, userAgent: ua }));
  const last = events.at(-1)!;
  return [...events, conversion(actor, last.click.clickId, last.click.at, last.click.at + 20 * MINUTE, { ip })];
}

/** A headless browser, and a conversion whose click came from a cloud data centre. */
export function nonHumanAttack(actor: Actor, at: number): SimEvent[] {
  const headless = click(actor, at, { ip: residentialIp(seededRandom(at)), userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36" });
  const cloud = click(actor, at + MINUTE, { ip: "35.188.10.20", userAgent: USER_AGENTS[0]![1] });
  const bot = click(actor, at + 2 * MINUTE, { ip: residentialIp(seededRandom(at + 1)), userAgent: "Googlebot/2.1 (+http://www.google.com/bot.html)", isBot: true, billable: false });
  const id = (e: SimClick) => e.click;
  return [
    headless,
    cloud,
    bot,
    conversion(actor, id(headless).clickId, at, at + 30 * MINUTE),
    conversion(actor, id(cloud).clickId, at + MINUTE, at + 31 * MINUTE),
    conversion(actor, id(bot).clickId, at + 2 * MINUTE, at + 32 * MINUTE),
  ];
}

/** Cookie stuffing / extension hijacking: the click is fired at checkout, the sale lands seconds later. */
export function fastConversionAttack(actor: Actor, at: number, random: Random): SimEvent[] {
  const ip = residentialIp(random);
  const c = click(actor, at, { ip, userAgent: browserUserAgent(random) });
  return [c, conversion(actor, c.click.clickId, at, at + 3 * SECOND, { ip })];
}

/** Clicks fired in bulk; the conversions that follow arrive days later (organic sales claimed). */
export function clickSpammingAttack(actor: Actor, at: number, random: Random, conversions = 15): SimEvent[] {
  const events: SimEvent[] = [];
  for (let i = 0; i < conversions; i++) {
    const clickedAt = at + i * 10 * MINUTE;
    const c = click(actor, clickedAt, { ip: residentialIp(random), userAgent: browserUserAgent(random) });
    const late = i % 5 !== 0; // 80% late
    events.push(c, conversion(actor, c.click.clickId, clickedAt, clickedAt + (late ? 2 * DAY + i * HOUR : 40 * MINUTE), { ip: residentialIp(random) }));
  }
  return events.sort((a, b) => a.at - b.at);
}

/** The affiliate buying through their own link, from their own IP (registered as theirs on their profile). */
export function selfReferralAttack(actor: Actor, at: number, random: Random, ownIp: string): SimEvent[] {
  const c = click(actor, at, { ip: ownIp, userAgent: browserUserAgent(random) });
  return [c, conversion(actor, c.click.clickId, at, at + 15 * MINUTE, { ip: ownIp })];
}

/** One person posing as many customers: the same customer id converting again and again. */
export function duplicateCustomerAttack(actor: Actor, at: number, random: Random, times = 5): SimEvent[] {
  const events: SimEvent[] = [];
  for (let i = 0; i < times; i++) {
    const clickedAt = at + i * 30 * MINUTE;
    const c = click(actor, clickedAt, { ip: residentialIp(random), userAgent: browserUserAgent(random) });
    events.push(c, conversion(actor, c.click.clickId, clickedAt, clickedAt + 10 * MINUTE, { customerId: "cust-same-person", ip: residentialIp(random) }));
  }
  return events;
}

/**
 * A coordinated network: several affiliates, each with a quiet baseline over the hour before, all jump to
 * `perMinute` clicks in the same minute; one conversion follows each burst.
 */
export function synchronizedBurstAttack(actors: readonly Actor[], at: number, random: Random, perMinute = 120): SimEvent[] {
  const events: SimEvent[] = [];
  for (const actor of actors) {
    for (let t = at - HOUR; t < at; t += 2 * MINUTE) events.push(click(actor, t + Math.floor(random() * MINUTE), { ip: residentialIp(random), userAgent: browserUserAgent(random) }));
    let last: TrafficClick | undefined;
    for (let i = 0; i < perMinute; i++) {
      const e = click(actor, at + Math.floor((i * MINUTE) / perMinute), { ip: residentialIp(random), userAgent: browserUserAgent(random) });
      last = e.click;
      events.push(e);
    }
    events.push(conversion(actor, last!.clickId, last!.at, last!.at + 25 * MINUTE, { ip: residentialIp(random) }));
  }
  return events.sort((a, b) => a.at - b.at);
}

/** A click farm: hundreds of clicks an hour from three subnets and two phone models, a few of them converting. */
export function clickFarmAttack(actor: Actor, at: number, random: Random, clicks = 400): SimEvent[] {
  const subnets = ["102.89.4", "102.89.7", "105.112.33"];
  const phones = [USER_AGENTS[2]![1], USER_AGENTS[6]![1]];
  const events: SimClick[] = [];
  for (let i = 0; i < clicks; i++) {
    const ip = `${pick(random, subnets)}.${1 + Math.floor(random() * 254)}`;
    events.push(click(actor, at + Math.floor((i * 50 * MINUTE) / clicks), { ip, userAgent: pick(random, phones) }));
  }
  const last = events.at(-1)!.click;
  return [...events, conversion(actor, last.clickId, last.at, last.at + 5 * MINUTE, { ip: last.ip })];
}

/** Bots behind rotating residential proxies: hundreds of clicks an hour from everywhere, all one or two user agents. */
export function userAgentFarmAttack(actor: Actor, at: number, random: Random, clicks = 400): SimEvent[] {
  const agents = [USER_AGENTS[1]![1], USER_AGENTS[1]![1].replace("18_1", "18_0")];
  const events: SimClick[] = [];
  for (let i = 0; i < clicks; i++) events.push(click(actor, at + Math.floor((i * 50 * MINUTE) / clicks), { ip: residentialIp(random), userAgent: pick(random, agents) }));
  const last = events.at(-1)!.click;
  return [...events, conversion(actor, last.clickId, last.at, last.at + 5 * MINUTE, { ip: last.ip })];
}

/**
 * An affiliate converting at their usual rate (2%) for days, then at `factor` times it over the last day: 10× is
 * fake or incentivised conversions, 0.1× junk clicks (bought traffic, spammed clicks) that never buy.
 */
export function conversionRateAttack(actor: Actor, from: number, at: number, random: Random, { factor = 10, perHour = 30 } = {}): SimEvent[] {
  const events: SimEvent[] = [];
  const usual = 0.02;
  let lastClick: SimClick | undefined;
  for (let t = from + gap(random, perHour); t < at + DAY; t += gap(random, perHour)) {
    const ip = residentialIp(random);
    const c = click(actor, Math.round(t), { ip, userAgent: browserUserAgent(random) });
    events.push(c);
    lastClick = c;
    const cr = t >= at ? usual * factor : usual;
    if (random() < cr) events.push(conversion(actor, c.click.clickId, Math.round(t), Math.round(t) + 20 * MINUTE, { ip }));
  }
  // One conversion at the very end, judged on the whole day.
  if (lastClick) events.push(conversion(actor, lastClick.click.clickId, lastClick.at, lastClick.at + 20 * MINUTE, { ip: lastClick.click.ip }));
  return events.sort((a, b) => a.at - b.at);
}

/** Merges event lists into time order. */
export const merge = (...lists: SimEvent[][]) => lists.flat().sort((a, b) => a.at - b.at);
