// Rule settings as the engine uses them: one FraudRuleConfig row per rule (on/off, severity, params) plus the
// `risk_thresholds` row whose params hold the score thresholds. A missing row means the rule's defaults; a row
// whose params no longer validate (a rule's schema changed) falls back to defaults, reported, never thrown, so a
// bad row can't stop conversions from being evaluated.
import { z } from "zod";
import { RULES, ruleByCode } from "./rules";

export const THRESHOLDS_CODE = "risk_thresholds";

export const thresholdsSchema = z
  .object({
    reviewAt: z.number().int().min(1).max(100).default(30).describe("Score that sends a conversion to review"),
    holdAt: z.number().int().min(1).max(100).default(60).describe("Score that holds the commission"),
    combinedScore: z.boolean().default(true).describe("Also score the rules' signals together (the trained model), so weak signals can add up"),
  })
  .refine((t) => t.reviewAt <= t.holdAt, { message: "the review threshold must not exceed the hold threshold", path: ["reviewAt"] });

export type Thresholds = z.infer<typeof thresholdsSchema>;

export interface RuleSetting {
  enabled: boolean;
  severity: number;
  params: Record<string, unknown>;
}

export interface FraudConfig {
  rules: ReadonlyMap<string, RuleSetting>;
  thresholds: Thresholds;
}

export interface ConfigRow {
  code: string;
  enabled: boolean;
  severity: number;
  params: unknown;
}

export const severitySchema = z.number().int().min(0).max(100);

export function compileConfig(rows: readonly ConfigRow[], warn: (line: string) => void = () => {}): FraudConfig {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  const rules = new Map<string, RuleSetting>();
  for (const rule of RULES) {
    const row = byCode.get(rule.code);
    const params = rule.params.safeParse(row?.params ?? {});
    if (!params.success) warn(`[fraud] ${rule.code}: stored params are invalid, using defaults (${params.error.issues[0]?.message})`);
    const severity = severitySchema.safeParse(row?.severity);
    rules.set(rule.code, {
      enabled: row?.enabled ?? true,
      severity: severity.success ? severity.data : rule.defaultSeverity,
      params: params.success ? params.data : rule.params.parse({}),
    });
  }
  const stored = thresholdsSchema.safeParse(byCode.get(THRESHOLDS_CODE)?.params ?? {});
  if (!stored.success) warn(`[fraud] ${THRESHOLDS_CODE}: stored thresholds are invalid, using defaults`);
  return { rules, thresholds: stored.success ? stored.data : thresholdsSchema.parse({}) };
}

export const defaultConfig = () => compileConfig([]);

/** The manager's update of one rule: zod-validated against that rule's schema, with defaults filled in. */
export const ruleUpdateSchema = z
  .object({
    code: z.string(),
    enabled: z.boolean(),
    severity: severitySchema,
    params: z.record(z.string(), z.unknown()),
  })
  .transform((input, ctx) => {
    const rule = ruleByCode(input.code);
    if (!rule) {
      ctx.addIssue({ code: "custom", path: ["code"], message: `unknown rule: ${input.code}` });
      return z.NEVER;
    }
    const params = rule.params.safeParse(input.params);
    if (!params.success) {
      for (const issue of params.error.issues) ctx.addIssue({ code: "custom", path: ["params", ...issue.path.map(String)], message: issue.message });
      return z.NEVER;
    }
    return { ...input, params: params.data as Record<string, unknown> };
  });
