// What every fraud rule is: a stable code, a title and a description for the manager, a default severity, zod
// params whose defaults are the shipped thresholds, and a pure check that returns its human explanation and the
// evidence behind it — or null when the conversion looks fine to it. Explanations that name a visitor's IP or a
// customer id come with a public version without them, for the affiliate and the merchant.
import type { z } from "zod";
import { type CidrMatcher, ipv6Network48 } from "../ip";
import type { ClickTraits, TrafficState } from "../traffic";
import type { ConversionCandidate } from "../types";

export interface AffiliateProfile {
  /** Entered by managers. */
  knownIps: ReadonlySet<string>;
  /** Recorded at the affiliate's sign-ins. */
  signInIps: ReadonlySet<string>;
  knownCustomers: ReadonlySet<string>;
}

/** Which of the affiliate's own lists holds `ip`, if any. */
export function ownIpList(profile: AffiliateProfile | undefined, ip: string | null): "known" | "sign-in" | null {
  if (!profile || !ip) return null;
  return profile.knownIps.has(ip) ? "known" : profile.signInIps.has(ip) ? "sign-in" : null;
}

export interface RuleContext {
  candidate: ConversionCandidate;
  /** When the conversion was received (epoch ms): the end of every "recent" window. */
  now: number;
  clickedAt: number;
  /**
   * The winning click: as this process counted it (a notable click still in the index), else as read from its row
   * (a click served by another instance, or too old for memory; velocity unknown), else undefined.
   */
  click: ClickTraits | undefined;
  traffic: TrafficState;
  blocklist: CidrMatcher;
  affiliate: AffiliateProfile | undefined;
  /**
   * The combined score's features (see ../combined.ts SIGNAL): a rule that measures evidence writes it here, capped,
   * whether or not it fires, so weak signals still count together.
   */
  signals: Float64Array;
}

export interface RuleHit {
  /** For managers: may name IPs and customer ids. */
  explanation: string;
  /** The explanation without personal data, when `explanation` has some (see FraudFlagDraft). */
  publicExplanation?: string;
  evidence: Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface FraudRule<Schema extends z.ZodObject<any> = z.ZodObject<any>> {
  code: string;
  title: string;
  /** What it catches and why, for the rules page. */
  description: string;
  defaultSeverity: number;
  params: Schema;
  check(ctx: RuleContext, params: z.infer<Schema>): RuleHit | null;
}

/** Declares a rule with its params type inferred from its schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function defineRule<Schema extends z.ZodObject<any>>(rule: FraudRule<Schema>): FraudRule<Schema> {
  return rule;
}

/** A visitor's IP as affiliates and merchants may see it: "203.0.113.x", or the /48 network of an IPv6 address. */
export function maskIp(ip: string | null): string {
  if (!ip) return "an unknown address";
  const v4 = /^(\d{1,3}\.\d{1,3}\.\d{1,3})\.\d{1,3}$/.exec(ip);
  return v4 ? `${v4[1]}.x` : (ipv6Network48(ip) ?? "an IP address");
}

export const pct = (share: number) => `${Math.round(share * 100)}%`;
export const secondsText = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
