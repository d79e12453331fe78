// The fraud engine: rules over in-memory traffic, with its settings, block list and affiliate identities swapped in
// whole when they change. Everything here is synchronous and memory-only; loading from and listening to Postgres
// lives in ./runtime.
import { type ConfigRow, type FraudConfig, compileConfig, defaultConfig } from "./config";
import { type BlockEntry, CidrMatcher } from "./ip";
import { RULES, type AffiliateProfile, type RuleContext, ownIpList } from "./rules";
import { COMBINED_SCORE, FEATURES, FEATURE_COUNT, SIGNAL, type ScoreModel, SHIPPED_MODEL, probability, strongestSignals } from "./combined";
import { decide, riskScore } from "./score";
import { type ClickTimeSettings, HOUR, LIMITS, type TrafficClick, TrafficState } from "./traffic";
import type { ConversionCandidate, FraudFlagDraft, FraudVerdict, StoredClick } from "./types";
import { customerKey } from "./identity";
import { headlessMarker } from "./user-agent";
import { errorLine } from "../log";

export interface EngineOptions {
  /** How many notable clicks keep their traits for the conversions that follow them. */
  maxNotableClicks?: number;
  log?: (line: string) => void;
}

export interface AffiliateIdentities {
  id: string;
  knownIps: readonly string[];
  signInIps?: readonly string[];
  knownCustomers: readonly string[];
}

export class FraudEngine {
  readonly traffic: TrafficState;
  private config: FraudConfig = defaultConfig();
  private clickSettings: ClickTimeSettings = clickSettingsOf(this.config);
  private blocklist = new CidrMatcher([]);
  private profiles = new Map<string, AffiliateProfile>();
  private readonly log: (line: string) => void;
  private readonly failedRules = new Set<string>();
  private model: ScoreModel = SHIPPED_MODEL;
  /** The last evaluation's features (reused between evaluations; the training script reads it). */
  readonly lastFeatures = new Float64Array(FEATURE_COUNT);

  constructor(options: EngineOptions = {}) {
    this.traffic = new TrafficState(options.maxNotableClicks);
    this.log = options.log ?? errorLine;
  }

  setConfig(rows: readonly ConfigRow[] | FraudConfig): void {
    this.config = "rules" in rows ? rows : compileConfig(rows, this.log);
    this.clickSettings = clickSettingsOf(this.config);
  }

  /** Replaces the combined score's model (null: the rules' own score only). */
  setModel(model: ScoreModel | null): void {
    this.model = model ?? { intercept: -Infinity, weights: [] };
  }

  getConfig(): FraudConfig {
    return this.config;
  }

  setBlocklist(entries: readonly BlockEntry[]): void {
    this.blocklist = new CidrMatcher(entries);
  }

  setAffiliateIdentities(rows: readonly AffiliateIdentities[]): void {
    this.profiles = new Map(rows.map((r) => [r.id, profileOf(r)]));
  }

  /** Replaces one affiliate's identities (removed when it lists none). */
  setAffiliateIdentity(row: AffiliateIdentities): void {
    if (row.knownIps.length || row.knownCustomers.length || row.signInIps?.length) this.profiles.set(row.id, profileOf(row));
    else this.profiles.delete(row.id);
  }

  /**
   * Feeds one click (the click sink's event stream, or the rebuild's replay). Never throws. Its traits are kept
   * only when a rule could use them later — a bot or automated browser, a blocked or the affiliate's own IP, an IP
   * or subnet past half the velocity limits (half: a manager may lower the limits later) — so the bounded index
   * covers hours of clicks even for a viral link, whose visitors share subnets all the time. A conversion whose
   * click is not in the index is judged from the click's row (which the postback's context read brings along): the
   * same checks but velocity, which only a click past the limits could fail.
   */
  recordClick(click: TrafficClick): void {
    try {
      const traits = this.traffic.recordClick(click, this.clickSettings);
      const notable =
        traits.isBot ||
        traits.ipClicks > this.clickSettings.maxClicksPerIp / 2 ||
        traits.subnetClicks > this.clickSettings.maxClicksPerSubnet / 2 ||
        headlessMarker(click.userAgent) !== null ||
        this.blocklist.match(click.ip) !== null ||
        ownIpList(this.profiles.get(click.affiliateId), click.ip) !== null;
      if (notable) this.traffic.rememberClick(click.clickId, traits);
    } catch (error) {
      this.log(`[fraud] click not counted: ${(error as Error).message}`);
    }
  }

  /** Whether this process keeps the click's traits from when it was clicked (else its row is what is known). */
  remembers(clickId: string): boolean {
    return this.traffic.click(clickId) !== undefined;
  }

  /**
   * Judges one conversion from memory, counting it into the traffic first so the rules see it (a retried
   * evaluation of the same click and transaction is counted once). `stored` is the click's row, used when this
   * process does not remember the click. A rule that throws is skipped and logged: a fraud-rule bug must not fail the merchant's
   * postback.
   */
  evaluate(candidate: ConversionCandidate, stored?: StoredClick | null): FraudVerdict {
    const now = candidate.receivedAt.getTime();
    const clickedAt = candidate.clickedAt.getTime();
    const click = this.traffic.click(candidate.clickId) ?? (stored ? TrafficState.traitsOfStored(stored, candidate.affiliateId) : undefined);
    this.traffic.recordConversion({
      key: `${candidate.clickId}|${candidate.txnId ?? `${candidate.amountMinor}|${candidate.customerId}`}`,
      affiliateId: candidate.affiliateId,
      clickedAt,
      at: now,
      ip: candidate.ip,
      customerId: candidate.customerId,
      click,
    });
    const ctx: RuleContext = {
      candidate,
      now,
      clickedAt,
      click,
      traffic: this.traffic,
      blocklist: this.blocklist,
      affiliate: this.profiles.get(candidate.affiliateId),
      signals: this.lastFeatures.fill(0),
    };
    const flags: FraudFlagDraft[] = [];
    for (const rule of RULES) {
      const setting = this.config.rules.get(rule.code);
      if (!setting?.enabled) continue;
      try {
        const hit = rule.check(ctx, setting.params);
        if (hit) flags.push({ code: rule.code, severity: setting.severity, explanation: hit.explanation, publicExplanation: hit.publicExplanation ?? hit.explanation, evidence: hit.evidence });
      } catch (error) {
        if (!this.failedRules.has(rule.code)) this.log(`[fraud] rule ${rule.code} failed: ${(error as Error).message}`);
        this.failedRules.add(rule.code);
      }
    }
    return decide(this.combine(ctx, flags), this.config.thresholds);
  }

  /**
   * Adds the combined score's flag when the model, fed every rule's signals, scores the conversion into a higher
   * decision than the rules' own score does (see ./combined.ts).
   */
  private combine(ctx: RuleContext, flags: FraudFlagDraft[]): FraudFlagDraft[] {
    const { signals, candidate, now } = ctx;
    const { affiliate } = this.traffic.conversionRates(candidate.affiliateId, HOUR, now);
    const baselinePerHour = affiliate ? affiliate.baselineClicks / (LIMITS.historyMs / HOUR - 1) : 0;
    signals[SIGNAL.clickJump] = affiliate ? Math.min(8, Math.max(0, Math.log2((affiliate.recentClicks + 1) / (baselinePerHour + 5)))) : 0;
    signals[SIGNAL.newAffiliate] = 1 / (1 + (affiliate?.baselineClicks ?? 0) / 100);
    const rulesScore = riskScore(flags.map((f) => f.severity));
    signals[SIGNAL.rulesScore] = rulesScore / 100;
    const modelScore = Math.round(100 * probability(signals, this.model));
    const t = this.config.thresholds;
    const level = (score: number) => (score >= t.holdAt ? 2 : score >= t.reviewAt ? 1 : 0);
    if (!t.combinedScore || level(modelScore) <= level(rulesScore)) return flags;
    const words = strongestSignals(signals, 3, this.model);
    const text = `several signals together score ${modelScore}: ${words.join("; ") || "the rules' flags"}`;
    const evidence = { signal: "combined_score", modelScore, rulesScore, features: Object.fromEntries(FEATURES.map((f, i) => [f.name, Number(signals[i]!.toFixed(3))])) };
    return [...flags, { code: COMBINED_SCORE, severity: modelScore, explanation: text, publicExplanation: text, evidence }];
  }
}

/** The thresholds that must be applied as clicks arrive, taken from the velocity and burst rules' params. */
function clickSettingsOf(config: FraudConfig): ClickTimeSettings {
  const velocity = config.rules.get("click_velocity")!.params as { windowSeconds: number; maxClicksPerIp: number; maxClicksPerSubnet: number };
  const burst = config.rules.get("synchronized_burst")!.params as { minClicksPerMinute: number; factor: number; newAffiliatePerMinute: number };
  return {
    velocityWindowMs: velocity.windowSeconds * 1000,
    maxClicksPerIp: velocity.maxClicksPerIp,
    maxClicksPerSubnet: velocity.maxClicksPerSubnet,
    burstMinClicks: burst.minClicksPerMinute,
    burstFactor: burst.factor,
    burstNewAffiliatePerMinute: burst.newAffiliatePerMinute,
  };
}

function profileOf(r: AffiliateIdentities) {
  return { knownIps: new Set(r.knownIps), signInIps: new Set(r.signInIps ?? []), knownCustomers: new Set(r.knownCustomers.map(customerKey).filter((c) => c !== null)) };
}
