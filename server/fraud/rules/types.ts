// What every fraud rule is: a stable code, a title and a description for the manager, a default severity, zod
// params whose defaults are the shipped thresholds, and a pure check that returns its human explanation and the
// evidence behind it — or null when the conversion looks fine to it.
import type { z } from "zod";
import type { CidrMatcher } from "../ip";
import type { ClickTraits, TrafficState } from "../traffic";
import type { ConversionCandidate } from "../types";

export interface AffiliateProfile {
  knownIps: ReadonlySet<string>;
  knownCustomers: ReadonlySet<string>;
}

export interface RuleContext {
  candidate: ConversionCandidate;
  /** When the conversion was received (epoch ms): the end of every "recent" window. */
  now: number;
  clickedAt: number;
  /** The winning click as seen by this process, when it is still in the recent-click index. */
  click: ClickTraits | undefined;
  traffic: TrafficState;
  blocklist: CidrMatcher;
  affiliate: AffiliateProfile | undefined;
}

export interface RuleHit {
  explanation: string;
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

export const pct = (share: number) => `${Math.round(share * 100)}%`;
export const secondsText = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
