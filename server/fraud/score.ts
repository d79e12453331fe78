// The combined risk score and the decision it leads to.
//
//   score = round(100 × (1 − Π (1 − severityᵢ / 100)))   over the rules that fired
//
// Each hit is read as an independent chance that the conversion is fraudulent; the score is the chance that at
// least one is right. One rule at severity s scores s; two at 50 score 75; it never exceeds 100 and never drops
// when another rule fires. score ≥ holdAt → HOLD, ≥ reviewAt → REVIEW, else PASS.
import type { Thresholds } from "./config";
import type { FraudFlagDraft, FraudVerdict } from "./types";

export function riskScore(severities: readonly number[]): number {
  const clean = severities.reduce((p, s) => p * (1 - Math.min(100, Math.max(0, s)) / 100), 1);
  return Math.round(100 * (1 - clean));
}

export function decide(flags: FraudFlagDraft[], thresholds: Thresholds): FraudVerdict {
  const score = riskScore(flags.map((f) => f.severity));
  const decision = score >= thresholds.holdAt ? "HOLD" : score >= thresholds.reviewAt ? "REVIEW" : "PASS";
  return { score, decision, flags, reason: decision === "PASS" ? null : reasonOf(flags) };
}

/** The affiliate-facing reason: the weightiest public explanation, and how many other signals agreed. */
function reasonOf(flags: FraudFlagDraft[]): string {
  const [top, ...rest] = [...flags].sort((a, b) => b.severity - a.severity);
  if (!top) return "";
  const text = publicExplanationOf(top);
  return rest.length ? `${text} (and ${rest.length} more signal${rest.length === 1 ? "" : "s"})` : text;
}

const publicExplanationOf = (flag: FraudFlagDraft) => flag.publicExplanation ?? flag.explanation;

/** The flags as the merchant's `fraud.flagged` event carries them: code, severity, public explanation. */
export function publicFlags(flags: readonly FraudFlagDraft[]) {
  return flags.map((f) => ({ code: f.code, severity: f.severity, explanation: publicExplanationOf(f) }));
}
