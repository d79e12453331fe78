// The combined score: the rules' signals as features of one logistic model, so that several weak signals together
// (a conversion rate not yet decisive, a sudden jump in a new affiliate's clicks, clicks bunched in one subnet) can
// send a conversion to review when none alone would. The coefficients are trained offline on labelled simulated
// traffic (scripts/train-fraud-score.ts, which writes ./score-model.json) and evaluated here in-process: a dot
// product of a dozen numbers. The verdict's score is the higher of the rules' own score (./score.ts) and the
// model's; when the model raises the decision, a `combined_score` flag names, in words, the signals that did.
import model from "./score-model.json";
import { oddsText } from "./stats";

/** The features, in model order: what each means, and how a manager reads its contribution. */
export const FEATURES = [
  { name: "conversion_rate", words: (v: number) => `conversion rate above the expected one (odds ${oddsText(v)})` },
  { name: "subnet_concentration", words: (v: number) => `clicks bunched in one subnet (odds ${oddsText(v)})` },
  { name: "user_agent_concentration", words: (v: number) => `converting clicks from one device type (odds ${oddsText(v)})` },
  { name: "click_to_conversion_time", words: (v: number) => `conversions soon after their click (odds ${oddsText(v)})` },
  { name: "customer_aliases", words: (v: number) => `one customer under ${Math.round(v) + 1} spellings` },
  { name: "click_jump", words: (v: number) => `clicks in the last hour at ${Math.round(2 ** v)}× this affiliate's usual hourly rate` },
  { name: "new_affiliate", words: (v: number) => `little history (${Math.round(100 * (1 / Math.max(v, 0.01) - 1))} clicks this week before today)` },
  { name: "conversion_pace", words: (v: number) => `clicks converting faster than the program's buyers do (odds ${oddsText(v)})` },
  { name: "rules_score", words: (v: number) => `the rules' own score of ${Math.round(v * 100)}` },
] as const;

export const FEATURE_COUNT = FEATURES.length;

/** The code and title of the combined score's flag. */
export const COMBINED_SCORE = "combined_score";
export const COMBINED_SCORE_TITLE = "Several signals together (combined score)";

/** Feature positions, for the rules that fill them in (RuleContext.signals). */
export const SIGNAL = { conversionRate: 0, subnetConcentration: 1, userAgentConcentration: 2, clickToConversionTime: 3, customerAliases: 4, clickJump: 5, newAffiliate: 6, conversionPace: 7, rulesScore: 8 } as const;

export interface ScoreModel {
  intercept: number;
  weights: readonly number[];
  /** Provenance: seeds, sizes and when, written by the training script. */
  trainedOn?: string;
}

export const SHIPPED_MODEL: ScoreModel = model;

/** Evidence figures are capped before they enter the model: beyond 10 (1 in 10¹⁰) more says nothing new. */
export const capEvidence = (e: number) => (Number.isFinite(e) ? Math.min(10, Math.max(0, e)) : 10);

export function probability(features: ArrayLike<number>, m: ScoreModel = SHIPPED_MODEL): number {
  let z = m.intercept;
  for (let i = 0; i < FEATURE_COUNT; i++) z += (m.weights[i] ?? 0) * features[i]!;
  return 1 / (1 + Math.exp(-z));
}

/** The features that pushed the score up most, in words (at most `n`, positive contributions only). */
export function strongestSignals(features: ArrayLike<number>, n = 3, m: ScoreModel = SHIPPED_MODEL): string[] {
  return FEATURES.map((f, i) => ({ f, value: features[i]!, contribution: (m.weights[i] ?? 0) * features[i]! }))
    .filter((x) => x.contribution > 0.05 && x.f.name !== "rules_score")
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, n)
    .map((x) => x.f.words(x.value));
}
