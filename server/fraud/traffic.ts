// The engine's picture of recent traffic, kept in memory so a conversion is judged without a query. Fed by every
// click (the click sink's event stream) and every evaluated conversion, and replayed from Postgres at start.
//
// Memory is bounded by construction: fixed rings per affiliate, per-window key maps that are dropped whole as
// time moves on, a capped index of notable clicks, a fixed-size filter of the other clicks seen, a capped list of
// recent conversions per affiliate.
import { customerForm, customerKey } from "./identity";
import { canonicalIp, subnetKey } from "./ip";
import type { StoredClick } from "./types";
import { BoundedMap, KeyedWindowCounter, RingCounter, SketchRing, pairHash } from "./windows";

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The longest window each structure can answer; rule params are capped to these (see rules' schemas). */
export const LIMITS = {
  velocityWindowMs: 5 * MINUTE,
  farmWindowMs: HOUR,
  burstBaselineMinutes: 60,
  burstRetentionMs: DAY,
  historyMs: 7 * DAY,
  repeatWindowMs: DAY,
  recentConversionsPerAffiliate: 256,
  /** Per (affiliate, subnet) clicks and conversions of those clicks: the small-sample conversion-rate test. */
  subnetRateWindowMs: 12 * HOUR,
  /** Program-wide user-agent shares of clicks. */
  userAgentShareWindowMs: DAY,
  /** The conversion-pace test: an affiliate's clicks in 10-min buckets, the program's click-to-conversion times. */
  paceWindowMs: 12 * HOUR,
  paceBucketMs: 10 * MINUTE,
} as const;

/** Bins of the program's click-to-conversion times: one per pace bucket of the window, and one for all later. */
const PACE_BINS = LIMITS.paceWindowMs / LIMITS.paceBucketMs;
/** The delay histogram is halved past this many conversions, so it follows the program as its buyers change. */
const PACE_HISTORY = 100_000;

export interface TrafficClick {
  clickId: string;
  affiliateId: string;
  at: number;
  ip: string | null;
  userAgent: string | null;
  isBot: boolean;
  billable: boolean;
}

export interface TrafficConversion {
  /** Deduplicates a retried evaluation of the same conversion. */
  key: string;
  affiliateId: string;
  clickedAt: number;
  at: number;
  ip: string | null;
  customerId: string | null;
  /** The conversion's click as known (remembered or read from its row): its subnet and user agent are counted. */
  click?: { ip: string | null; userAgent: string | null } | null;
}

/**
 * What a click looked like: remembered when it happened for the conversion that may follow it (notable clicks), or
 * read back from its row when this process never saw it.
 */
export interface ClickTraits {
  at: number;
  affiliateId: string;
  ip: string | null;
  subnet: string | null;
  userAgent: string | null;
  isBot: boolean;
  /**
   * Clicks from this IP / its subnet on this affiliate's links in the velocity window ending at this click; null
   * for a click read from its row (the counts at click time cannot be recovered from one row).
   */
  ipClicks: number | null;
  subnetClicks: number | null;
  velocityWindowMs: number;
}

/** Traits counted as the click happened (velocity known). */
export type CountedClickTraits = ClickTraits & { ipClicks: number; subnetClicks: number };

export interface BurstRecord {
  minute: number; // epoch minute
  affiliateId: string;
  observed: number; // clicks in that minute
  baselinePerMinute: number; // the affiliate's mean over the previous hour
}

/** Click-time settings the engine takes from its current config (velocity window, what counts as a burst). */
export interface ClickTimeSettings {
  velocityWindowMs: number;
  /** The velocity rule's limits per IP and per subnet (a click beyond half of one is worth remembering). */
  maxClicksPerIp: number;
  maxClicksPerSubnet: number;
  burstMinClicks: number;
  burstFactor: number;
  /** Clicks per minute a new affiliate is assumed to have (its baseline when it has less). */
  burstNewAffiliatePerMinute: number;
}

class AffiliateTraffic {
  /** Current minute + the hour before it: the burst baseline. */
  readonly perMinute = new RingCounter(MINUTE, LIMITS.burstBaselineMinutes + 1);
  readonly clicksPerHour = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  readonly conversionsPerHour = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  /** Billable clicks in 10-min buckets over the pace window (+ the current bucket). */
  readonly pacedClicks = new RingCounter(LIMITS.paceBucketMs, PACE_BINS + 1);
  readonly subnets = new SketchRing(10 * MINUTE, LIMITS.farmWindowMs / (10 * MINUTE));
  readonly userAgents = new SketchRing(10 * MINUTE, LIMITS.farmWindowMs / (10 * MINUTE));
  readonly bursts: BurstRecord[] = [];
  /** Recent conversions as parallel rings: when, and how long after their click. */
  readonly conversionAt = new Float64Array(LIMITS.recentConversionsPerAffiliate);
  readonly conversionDelay = new Float64Array(LIMITS.recentConversionsPerAffiliate);
  /** Hashes of the conversions' click user agent and subnet (0: unknown). */
  readonly conversionUserAgent = new Int32Array(LIMITS.recentConversionsPerAffiliate);
  readonly conversionSubnet = new Int32Array(LIMITS.recentConversionsPerAffiliate);
  conversionCount = 0;
  /** The hour of its last click (for counting the affiliates active per hour). */
  lastHour = -1;
  /** The last minute it was up on its own baseline (counted once per minute). */
  upMinute = -1;
  /** The minute of the first click this process counted for it. */
  firstMinute: number | undefined;
}

export class TrafficState {
  private readonly affiliates = new Map<string, AffiliateTraffic>();
  private readonly clicks: BoundedMap<ClickTraits>;
  /** Per (affiliate, IP) and (affiliate, subnet), hashed: a viral link brings millions of distinct visitors. */
  private readonly ipVelocity = new KeyedWindowCounter<number>(10 * SECOND, LIMITS.velocityWindowMs / (10 * SECOND) + 1);
  private readonly subnetVelocity = new KeyedWindowCounter<number>(10 * SECOND, LIMITS.velocityWindowMs / (10 * SECOND) + 1);
  private readonly conversionIps = new KeyedWindowCounter(HOUR, LIMITS.repeatWindowMs / HOUR);
  private readonly conversionCustomers = new KeyedWindowCounter(HOUR, LIMITS.repeatWindowMs / HOUR);
  private readonly seenConversions = new BoundedMap<true>(100_000);
  /** epoch minute → affiliates whose click rate burst in it, and the affiliates active in its hour and the one before. */
  private readonly burstsByMinute = new Map<number, { bursts: Map<string, BurstRecord>; active: number; up: number }>();
  private readonly programClicksPerHour = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  private readonly programConversionsPerHour = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  /** Distinct affiliates with a click per hour (each counted at its first click of the hour). */
  private readonly affiliatesPerHour = new RingCounter(HOUR, 3);
  /** Program conversions by click-to-conversion time: within 30 s and within 60 s (all: programDelayAll). */
  private readonly programWithin30s = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  private readonly programWithin60s = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  private readonly programDelayAll = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  /** The program's conversions by click-to-conversion time, in pace buckets (the last bin: later), and in all. */
  private readonly programDelayBins = new Float64Array(PACE_BINS + 1);
  private programDelayCount = 0;
  /** Scratch for the pace test's cumulative delay shares (no allocation per evaluation). */
  private readonly delayShares = new Float64Array(PACE_BINS + 2);
  /** Program clicks per user agent (hashed) and all of them, over a day. */
  private readonly programUserAgents = new KeyedWindowCounter<number>(HOUR, LIMITS.userAgentShareWindowMs / HOUR, 50_000);
  private readonly programUserAgentClicks = new RingCounter(HOUR, LIMITS.userAgentShareWindowMs / HOUR);
  /** (affiliate, subnet) → clicks, and conversions counted at their click's time: the subnet's conversion rate. */
  private readonly subnetClicks = new KeyedWindowCounter<number>(HOUR, LIMITS.subnetRateWindowMs / HOUR, 100_000);
  private readonly subnetConversions = new KeyedWindowCounter<number>(HOUR, LIMITS.subnetRateWindowMs / HOUR, 100_000);
  /** The program's clicks per subnet (hashed) over the same window: a subnet's usual share of the traffic. */
  private readonly programSubnetClicks = new KeyedWindowCounter<number>(HOUR, LIMITS.subnetRateWindowMs / HOUR, 100_000);
  /** (affiliate, customer as typed) and (affiliate, customer) → how many distinct forms it was typed in. */
  private readonly customerForms = new KeyedWindowCounter(HOUR, LIMITS.repeatWindowMs / HOUR);
  private readonly customerAliases = new KeyedWindowCounter(HOUR, LIMITS.repeatWindowMs / HOUR);

  constructor(maxNotableClicks = 200_000) {
    this.clicks = new BoundedMap(maxNotableClicks);
  }

  private affiliate(id: string): AffiliateTraffic {
    let traffic = this.affiliates.get(id);
    if (!traffic) this.affiliates.set(id, (traffic = new AffiliateTraffic()));
    return traffic;
  }

  /**
   * Counts one click: constant work (a few bucket increments and reads of a fixed number of buckets). Returns
   * what the click looked like at that moment; the engine decides whether it is worth remembering.
   */
  recordClick(click: TrafficClick, settings: ClickTimeSettings): CountedClickTraits {
    const { affiliateId, at } = click;
    const traffic = this.affiliate(affiliateId);
    const subnet = subnetKey(click.ip);
    const windowStart = at - settings.velocityWindowMs + 1;
    let ipClicks = 0;
    let subnetClicks = 0;
    if (click.ip) {
      const ipKey = pairHash(affiliateId, click.ip);
      this.ipVelocity.add(ipKey, at);
      ipClicks = this.ipVelocity.count(ipKey, windowStart, at);
    }
    if (subnet) {
      const subnetKeyed = pairHash(affiliateId, subnet);
      this.subnetVelocity.add(subnetKeyed, at);
      subnetClicks = this.subnetVelocity.count(subnetKeyed, windowStart, at);
      traffic.subnets.add(subnet, at);
      if (click.billable) {
        this.subnetClicks.add(subnetKeyed, at);
        this.programSubnetClicks.add(textHash(subnet), at);
      }
    }
    traffic.userAgents.add(click.userAgent ?? "", at);
    if (click.billable) {
      traffic.clicksPerHour.add(at);
      traffic.pacedClicks.add(at);
      this.programClicksPerHour.add(at);
      this.programUserAgents.add(textHash(click.userAgent), at);
      this.programUserAgentClicks.add(at);
    }
    const hour = Math.floor(at / HOUR);
    if (traffic.lastHour !== hour) {
      traffic.lastHour = hour;
      this.affiliatesPerHour.add(at);
    }
    this.detectBurst(traffic, affiliateId, at, settings);
    const { ip, userAgent, isBot } = click;
    return { at, affiliateId, ip, subnet, userAgent, isBot, ipClicks, subnetClicks, velocityWindowMs: settings.velocityWindowMs };
  }

  /** Keeps a click's traits for the conversion that may follow it (bounded: the oldest are forgotten). */
  rememberClick(clickId: string, traits: ClickTraits): void {
    this.clicks.set(clickId, traits);
  }

  /**
   * A burst: this minute's clicks reach `burstMinClicks` and `burstFactor`× the affiliate's mean per minute over
   * the previous hour (at least `burstNewAffiliatePerMinute`, the prior for an affiliate with no history).
   * Registered once per affiliate and minute; its observed count follows later clicks. Each minute also keeps how
   * many affiliates were active in the hour: when most of them burst together (a new program's first busy minute,
   * everyone up from nothing) the minute is a program-wide peak, not a ring (see `burstsAround`).
   */
  private detectBurst(traffic: AffiliateTraffic, affiliateId: string, at: number, s: ClickTimeSettings): void {
    traffic.perMinute.add(at);
    const minute = Math.floor(at / MINUTE);
    const observed = traffic.perMinute.at(at);
    const last = traffic.bursts.at(-1);
    if (last?.minute === minute) {
      last.observed = observed;
      return;
    }
    // The mean over the minutes of history the affiliate has (up to the hour): a new affiliate's first minutes are
    // not compared with an hour it was not there for.
    traffic.firstMinute ??= minute;
    const known = Math.max(1, Math.min(LIMITS.burstBaselineMinutes, minute - traffic.firstMinute));
    const baselinePerMinute = (traffic.perMinute.total() - observed) / known;
    const jump = s.burstFactor * Math.max(baselinePerMinute, s.burstNewAffiliatePerMinute);
    if (observed < jump) return;
    if (traffic.upMinute !== minute) {
      // Up on its own baseline this minute, however small: counted for telling a program-wide peak from a ring.
      traffic.upMinute = minute;
      this.minuteEntry(minute, at).up += 1;
    }
    if (observed < s.burstMinClicks) return;
    const record: BurstRecord = { minute, affiliateId, observed, baselinePerMinute };
    traffic.bursts.push(record);
    if (traffic.bursts.length > 64) traffic.bursts.shift();
    this.minuteEntry(minute, at).bursts.set(affiliateId, record);
  }

  /** The minute's burst record (created with the affiliates active around it; older minutes forgotten). */
  private minuteEntry(minute: number, at: number) {
    let inMinute = this.burstsByMinute.get(minute);
    if (!inMinute) {
      this.burstsByMinute.set(minute, (inMinute = { bursts: new Map(), active: 0, up: 0 }));
      const oldest = minute - LIMITS.burstRetentionMs / MINUTE;
      for (const m of this.burstsByMinute.keys()) {
        if (m >= oldest) break; // insertion order is (nearly) time order
        this.burstsByMinute.delete(m);
      }
    }
    this.affiliatesPerHour.advanceTo(at);
    inMinute.active = Math.max(inMinute.active, this.affiliatesPerHour.at(at), this.affiliatesPerHour.at(at - HOUR));
    return inMinute;
  }

  /**
   * Records a conversion once per key; returns false for a repeat (a retried evaluation). `countInRates: false`
   * is for the rebuild, whose hourly counts were loaded already.
   */
  recordConversion(conversion: TrafficConversion, { countInRates = true } = {}): boolean {
    if (this.seenConversions.has(conversion.key)) return false;
    this.seenConversions.set(conversion.key, true);
    const { affiliateId, at } = conversion;
    const traffic = this.affiliate(affiliateId);
    if (countInRates) {
      traffic.conversionsPerHour.add(at);
      this.programConversionsPerHour.add(at);
    }
    const slot = traffic.conversionCount % LIMITS.recentConversionsPerAffiliate;
    traffic.conversionAt[slot] = at;
    const delay = Math.max(0, at - conversion.clickedAt);
    traffic.conversionDelay[slot] = delay;
    const click = conversion.click;
    const subnet = subnetKey(click?.ip);
    traffic.conversionUserAgent[slot] = click ? textHash(click.userAgent) : 0;
    traffic.conversionSubnet[slot] = subnet ? textHash(subnet) : 0;
    traffic.conversionCount += 1;
    this.programDelayAll.add(at);
    if (delay <= 30 * SECOND) this.programWithin30s.add(at);
    if (delay <= 60 * SECOND) this.programWithin60s.add(at);
    this.countDelay(delay);
    if (subnet) this.subnetConversions.add(pairHash(affiliateId, subnet), conversion.clickedAt);
    const ip = canonicalIp(conversion.ip);
    if (ip) this.conversionIps.add(`${affiliateId}|${ip}`, at);
    const customer = customerKey(conversion.customerId);
    if (customer) {
      this.conversionCustomers.add(`${affiliateId}|${customer}`, at);
      const form = `${affiliateId}|${customerForm(conversion.customerId)}`;
      if (this.customerForms.count(form, at - LIMITS.repeatWindowMs + 1, at) === 0) this.customerAliases.add(`${affiliateId}|${customer}`, at);
      this.customerForms.add(form, at);
    }
    return true;
  }

  private countDelay(delay: number): void {
    if (this.programDelayCount >= PACE_HISTORY) {
      for (let i = 0; i <= PACE_BINS; i++) this.programDelayBins[i]! /= 2;
      this.programDelayCount /= 2;
    }
    this.programDelayBins[Math.min(PACE_BINS, Math.floor(delay / LIMITS.paceBucketMs))]! += 1;
    this.programDelayCount += 1;
  }

  /** Adds aggregated history (rebuild of the hourly rings from older rows than the raw replay covers). */
  addHourlyHistory(affiliateId: string, hourStart: number, clicks: number, conversions: number): void {
    const traffic = this.affiliate(affiliateId);
    if (clicks) {
      traffic.clicksPerHour.add(hourStart, clicks);
      this.programClicksPerHour.add(hourStart, clicks);
    }
    if (conversions) {
      traffic.conversionsPerHour.add(hourStart, conversions);
      this.programConversionsPerHour.add(hourStart, conversions);
    }
  }

  // ---- reads, for the rules ----

  click(clickId: string): ClickTraits | undefined {
    return this.clicks.get(clickId);
  }

  /** The traits of a click read from its row: everything but the velocity at click time. */
  static traitsOfStored(row: StoredClick, affiliateId: string): ClickTraits {
    const { ip, userAgent, isBot } = row;
    return { at: row.at.getTime(), affiliateId, ip, subnet: subnetKey(ip), userAgent, isBot, ipClicks: null, subnetClicks: null, velocityWindowMs: 0 };
  }

  /**
   * Heavy hitters among an affiliate's subnets and user agents over the window, or null below `minClicks` (most
   * affiliates, most of the time: the sketches are then not merged at all).
   */
  concentration(affiliateId: string, windowMs: number, now: number, topN: number, minClicks: number) {
    const traffic = this.affiliates.get(affiliateId);
    const from = now - windowMs + 1;
    if (!traffic || traffic.subnets.total(from, now) < minClicks) return null;
    return { subnets: traffic.subnets.top(from, now, topN), userAgents: traffic.userAgents.top(from, now, topN) };
  }

  /**
   * This affiliate's bursts in [from, to], each with every affiliate that burst in the same minute and the share of
   * the affiliates active around then (this clock hour and the two before) that were up on their own baseline in
   * that minute (bursts below the minimum clicks included).
   */
  burstsAround(affiliateId: string, from: number, to: number) {
    const traffic = this.affiliates.get(affiliateId);
    if (!traffic) return [];
    const first = Math.floor(from / MINUTE);
    const last = Math.floor(to / MINUTE);
    return traffic.bursts
      .filter((b) => b.minute >= first && b.minute <= last)
      .map((b) => {
        const inMinute = this.burstsByMinute.get(b.minute);
        const all = [...(inMinute?.bursts.values() ?? [])];
        const up = inMinute?.up ?? all.length;
        return { own: b, all, activeShare: up / Math.max(up, inMinute?.active ?? 0) };
      });
  }

  /** Conversions of the affiliate since `from` and how many came more than `lateMs` after their click. */
  conversionDelays(affiliateId: string, from: number, lateMs: number) {
    const traffic = this.affiliates.get(affiliateId);
    let total = 0;
    let late = 0;
    if (!traffic) return { total, late };
    const held = Math.min(traffic.conversionCount, LIMITS.recentConversionsPerAffiliate);
    for (let i = 0; i < held; i++) {
      if (traffic.conversionAt[i]! < from) continue;
      total += 1;
      if (traffic.conversionDelay[i]! > lateMs) late += 1;
    }
    return { total, late };
  }

  /** Clicks and conversions in a recent window and in the baseline before it, for one affiliate and the program. */
  conversionRates(affiliateId: string, recentMs: number, now: number) {
    const from = now - recentMs + 1;
    const window = (clicks: RingCounter, conversions: RingCounter) => {
      // Rings brought to now, their running totals are the week: baseline = week − recent window.
      clicks.advanceTo(now);
      conversions.advanceTo(now);
      const recentClicks = clicks.sum(from, now);
      const recentConversions = conversions.sum(from, now);
      return {
        recentClicks,
        recentConversions,
        baselineClicks: clicks.total() - recentClicks,
        baselineConversions: conversions.total() - recentConversions,
      };
    };
    const traffic = this.affiliates.get(affiliateId);
    return {
      affiliate: traffic ? window(traffic.clicksPerHour, traffic.conversionsPerHour) : null,
      program: window(this.programClicksPerHour, this.programConversionsPerHour),
    };
  }

  /**
   * Earlier conversions (this one included) of the affiliate from this IP / for this customer in the window, the
   * IP canonical and the customer normalized (see ./identity), and in how many distinct forms the customer was typed.
   */
  repeats(affiliateId: string, ip: string | null, customerId: string | null, windowMs: number, now: number) {
    const from = now - windowMs + 1;
    const address = canonicalIp(ip);
    const customer = customerKey(customerId);
    return {
      fromIp: address ? this.conversionIps.count(`${affiliateId}|${address}`, from, now) : 0,
      forCustomer: customer ? this.conversionCustomers.count(`${affiliateId}|${customer}`, from, now) : 0,
      customerForms: customer ? this.customerAliases.count(`${affiliateId}|${customer}`, from, now) : 0,
    };
  }

  /** Clicks from this subnet on the affiliate's links over the window ending now, and how many of them converted. */
  subnetRate(affiliateId: string, subnet: string, now: number) {
    const key = pairHash(affiliateId, subnet);
    const from = now - LIMITS.subnetRateWindowMs + 1;
    return { clicks: this.subnetClicks.count(key, from, now), conversions: this.subnetConversions.count(key, from, now) };
  }

  /**
   * The affiliate's clicks over the subnet window and those from `subnet`, and the program's (every affiliate's)
   * clicks over the same window and those from `subnet`.
   */
  subnetShare(affiliateId: string, subnet: string, now: number) {
    const from = now - LIMITS.subnetRateWindowMs + 1;
    const traffic = this.affiliates.get(affiliateId);
    return {
      affiliateClicks: traffic ? traffic.clicksPerHour.sum(from, now) : 0,
      affiliateFromSubnet: this.subnetClicks.count(pairHash(affiliateId, subnet), from, now),
      programClicks: this.programClicksPerHour.sum(from, now),
      programFromSubnet: this.programSubnetClicks.count(textHash(subnet), from, now),
    };
  }

  /**
   * Among the affiliate's recent conversions (since `from`, the last 256 at most): how many, how many came from
   * a click with this user agent / in this subnet, how many within 30 s and 60 s of their click.
   */
  recentConversionMix(affiliateId: string, from: number, userAgent: string | null | undefined, subnet: string | null) {
    const traffic = this.affiliates.get(affiliateId);
    const mix = { total: 0, sameUserAgent: 0, sameSubnet: 0, within30s: 0, within60s: 0 };
    if (!traffic) return mix;
    const ua = userAgent === undefined ? 0 : textHash(userAgent);
    const sub = subnet ? textHash(subnet) : 0;
    const held = Math.min(traffic.conversionCount, LIMITS.recentConversionsPerAffiliate);
    for (let i = 0; i < held; i++) {
      if (traffic.conversionAt[i]! < from) continue;
      mix.total += 1;
      if (ua !== 0 && traffic.conversionUserAgent[i] === ua) mix.sameUserAgent += 1;
      if (sub !== 0 && traffic.conversionSubnet[i] === sub) mix.sameSubnet += 1;
      const delay = traffic.conversionDelay[i]!;
      if (delay <= 30 * SECOND) mix.within30s += 1;
      if (delay <= 60 * SECOND) mix.within60s += 1;
    }
    return mix;
  }

  /**
   * The conversion-pace test's counts over each window in `windowsMs` ending now (each at most
   * LIMITS.paceWindowMs, in 10-min buckets): the affiliate's billable clicks, how many of its conversions came from
   * clicks in the window, and how many of those clicks the program's buyers would have converted by now at a
   * conversion rate of 1 — each bucket's clicks × the share of the program's conversions that came within the
   * bucket's age of their click. That share is read from the program's own click-to-conversion times, blended with
   * `prior` (the assumed share within j pace buckets at [j], j = 0…bins + 1: see `pacePriorCurve`; worth
   * `priorConversions` conversions) while the program has few: a new program is assumed to
   * have quick buyers, which expects more conversions and so flags less. The program's week comes along the same
   * way (its conversions, and its clicks with those of the last hours counted as matured), for its rate.
   */
  conversionPace(affiliateId: string, windowsMs: readonly number[], now: number, prior: ArrayLike<number>, priorConversions: number) {
    const B = LIMITS.paceBucketMs;
    const last = Math.floor(now / B);
    const firsts = windowsMs.map((w) => Math.max(last - PACE_BINS, Math.floor((now - Math.min(w, LIMITS.paceWindowMs)) / B) + 1));
    const windows = firsts.map((first, i) => ({ windowMs: windowsMs[i]!, clicks: 0, conversions: 0, maturedClicks: 0, from: first * B }));
    // Cumulative shares: delayShares[j] = share of conversions within j buckets of their click.
    const shares = this.delayShares;
    const total = this.programDelayCount + priorConversions;
    let running = 0;
    shares[0] = (priorConversions * prior[0]!) / total;
    for (let j = 1; j <= PACE_BINS + 1; j++) {
      running += this.programDelayBins[j - 1]!;
      shares[j] = (running + priorConversions * prior[j]!) / total;
    }
    // The program's week: its clicks of the last hours had as little time to convert as the affiliate's (a new
    // program's rate is otherwise read far too low in its first hours).
    this.programClicksPerHour.advanceTo(now);
    this.programConversionsPerHour.advanceTo(now);
    const programConversions = this.programConversionsPerHour.total();
    let programMaturedClicks = this.programClicksPerHour.total();
    for (let h = 0; h < LIMITS.paceWindowMs / HOUR; h++) {
      const start = (Math.floor(now / HOUR) - h) * HOUR;
      const clicks = this.programClicksPerHour.at(start);
      if (clicks) programMaturedClicks -= clicks * (1 - shareWithin(shares, Math.max(0, now - start - Math.min(HOUR, now - start) / 2)));
    }
    const traffic = this.affiliates.get(affiliateId);
    if (!traffic) return { windows, programConversions, programMaturedClicks };
    const earliest = Math.min(...firsts);
    for (let b = earliest; b <= last; b++) {
      const clicks = traffic.pacedClicks.at(b * B);
      if (!clicks) continue;
      // The clicks of a bucket are taken at its middle (the current bucket: the middle of its elapsed part).
      const matured = clicks * shareWithin(shares, Math.max(0, now - b * B - Math.min(B, now - b * B) / 2));
      for (const w of windows) {
        if (b * B < w.from) continue;
        w.clicks += clicks;
        w.maturedClicks += matured;
      }
    }
    // Only conversions of clicks this process could count (after a restart the replay brings 2 h of clicks but
    // older conversions): a conversion whose click it never counted would otherwise look like a sale out of nowhere.
    const counted = (traffic.firstMinute ?? Infinity) * MINUTE;
    const held = Math.min(traffic.conversionCount, LIMITS.recentConversionsPerAffiliate);
    for (let i = 0; i < held; i++) {
      const clickedAt = traffic.conversionAt[i]! - traffic.conversionDelay[i]!;
      if (traffic.conversionAt[i]! > now || clickedAt < counted) continue;
      for (const w of windows) if (clickedAt >= w.from) w.conversions += 1;
    }
    return { windows, programConversions, programMaturedClicks };
  }

  /** The program's conversions over the week and how many came within 30 s / 60 s of their click. */
  programDelays(now: number) {
    for (const ring of [this.programDelayAll, this.programWithin30s, this.programWithin60s]) ring.advanceTo(now);
    return { total: this.programDelayAll.total(), within30s: this.programWithin30s.total(), within60s: this.programWithin60s.total() };
  }

  /** The program's clicks over the last day, and those with this user agent. */
  programUserAgentShare(userAgent: string | null, now: number) {
    this.programUserAgentClicks.advanceTo(now);
    const from = now - LIMITS.userAgentShareWindowMs + 1;
    return { clicks: this.programUserAgentClicks.total(), withUserAgent: this.programUserAgents.count(textHash(userAgent), from, now) };
  }

  /** Sizes, and keys the bounded counters refused (counting stops for them), for the metrics and the benchmark. */
  stats() {
    return {
      affiliates: this.affiliates.size,
      notableClicks: this.clicks.size,
      velocityKeys: this.ipVelocity.keyCount() + this.subnetVelocity.keyCount(),
      burstMinutes: this.burstsByMinute.size,
      overflow: {
        ip_velocity: this.ipVelocity.overflow,
        subnet_velocity: this.subnetVelocity.overflow,
        conversion_ip: this.conversionIps.overflow,
        conversion_customer: this.conversionCustomers.overflow,
        subnet_clicks: this.subnetClicks.overflow,
        subnet_conversions: this.subnetConversions.overflow,
        program_subnets: this.programSubnetClicks.overflow,
        user_agents: this.programUserAgents.overflow,
        customer_forms: this.customerForms.overflow,
      },
    };
  }
}

/** A prior click-to-conversion curve for `conversionPace`: `share(age)` at every pace bin's edge (computed once). */
export function pacePriorCurve(share: (ageMs: number) => number): Float64Array {
  return Float64Array.from({ length: PACE_BINS + 2 }, (_, j) => share(j * LIMITS.paceBucketMs));
}

/** The share of conversions within `age` of their click, interpolated in the cumulative shares of the pace bins. */
function shareWithin(shares: Float64Array, age: number): number {
  const j = Math.min(PACE_BINS, Math.floor(age / LIMITS.paceBucketMs));
  return shares[j]! + (shares[j + 1]! - shares[j]!) * Math.min(1, age / LIMITS.paceBucketMs - j);
}

/** A non-zero 31-bit hash of a text (a user agent, a subnet), for the conversions' rings and the keyed counters. */
function textHash(text: string | null): number {
  return pairHash("", text ?? "") | 1;
}
