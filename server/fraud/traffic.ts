// The engine's picture of recent traffic, kept in memory so a conversion is judged without a query. Fed by every
// click (the click sink's event stream) and every evaluated conversion, and replayed from Postgres at start.
//
// Memory is bounded by construction: fixed rings per affiliate, per-window key maps that are dropped whole as
// time moves on, a capped index of notable clicks, a fixed-size filter of the other clicks seen, a capped list of
// recent conversions per affiliate.
import { subnetKey } from "./ip";
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
} as const;

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
}

class AffiliateTraffic {
  /** Current minute + the hour before it: the burst baseline. */
  readonly perMinute = new RingCounter(MINUTE, LIMITS.burstBaselineMinutes + 1);
  readonly clicksPerHour = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  readonly conversionsPerHour = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  readonly subnets = new SketchRing(10 * MINUTE, LIMITS.farmWindowMs / (10 * MINUTE));
  readonly userAgents = new SketchRing(10 * MINUTE, LIMITS.farmWindowMs / (10 * MINUTE));
  readonly bursts: BurstRecord[] = [];
  /** Recent conversions as parallel rings: when, and how long after their click. */
  readonly conversionAt = new Float64Array(LIMITS.recentConversionsPerAffiliate);
  readonly conversionDelay = new Float64Array(LIMITS.recentConversionsPerAffiliate);
  conversionCount = 0;
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
  /** epoch minute → affiliates whose click rate burst in it. */
  private readonly burstsByMinute = new Map<number, Map<string, BurstRecord>>();
  private readonly programClicksPerHour = new RingCounter(HOUR, LIMITS.historyMs / HOUR);
  private readonly programConversionsPerHour = new RingCounter(HOUR, LIMITS.historyMs / HOUR);

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
    }
    traffic.userAgents.add(click.userAgent ?? "", at);
    if (click.billable) {
      traffic.clicksPerHour.add(at);
      this.programClicksPerHour.add(at);
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
   * the previous hour. Registered once per affiliate and minute; its observed count follows later clicks.
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
    const baselinePerMinute = (traffic.perMinute.total() - observed) / LIMITS.burstBaselineMinutes;
    if (observed < s.burstMinClicks || observed < s.burstFactor * baselinePerMinute) return;
    const record: BurstRecord = { minute, affiliateId, observed, baselinePerMinute };
    traffic.bursts.push(record);
    if (traffic.bursts.length > 64) traffic.bursts.shift();
    let inMinute = this.burstsByMinute.get(minute);
    if (!inMinute) {
      this.burstsByMinute.set(minute, (inMinute = new Map()));
      const oldest = minute - LIMITS.burstRetentionMs / MINUTE;
      for (const m of this.burstsByMinute.keys()) {
        if (m >= oldest) break; // insertion order is (nearly) time order
        this.burstsByMinute.delete(m);
      }
    }
    inMinute.set(affiliateId, record);
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
    traffic.conversionDelay[slot] = Math.max(0, at - conversion.clickedAt);
    traffic.conversionCount += 1;
    if (conversion.ip) this.conversionIps.add(`${affiliateId}|${conversion.ip}`, at);
    if (conversion.customerId) this.conversionCustomers.add(`${affiliateId}|${conversion.customerId}`, at);
    return true;
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

  /** This affiliate's bursts in [from, to], each with every affiliate that burst in the same minute. */
  burstsAround(affiliateId: string, from: number, to: number) {
    const traffic = this.affiliates.get(affiliateId);
    if (!traffic) return [];
    const first = Math.floor(from / MINUTE);
    const last = Math.floor(to / MINUTE);
    return traffic.bursts
      .filter((b) => b.minute >= first && b.minute <= last)
      .map((b) => ({ own: b, all: [...(this.burstsByMinute.get(b.minute)?.values() ?? [])] }));
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

  /** Earlier conversions (this one included) of the affiliate from this IP / for this customer in the window. */
  repeats(affiliateId: string, ip: string | null, customerId: string | null, windowMs: number, now: number) {
    const from = now - windowMs + 1;
    return {
      fromIp: ip ? this.conversionIps.count(`${affiliateId}|${ip}`, from, now) : 0,
      forCustomer: customerId ? this.conversionCustomers.count(`${affiliateId}|${customerId}`, from, now) : 0,
    };
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
      },
    };
  }
}
