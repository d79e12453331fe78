// Manager-edited settings: each rule's on/off, severity and params, the score thresholds, the CIDR block list.
// Every change is audited and announced on the `fraud_config` channel in the same transaction, so every server
// instance reloads it on commit (see runtime.ts) — no restart.
import { z } from "zod";
import { type Db, Prisma } from "../db";
import { THRESHOLDS_CODE, type Thresholds, compileConfig, ruleUpdateSchema, thresholdsSchema } from "./config";
import { parseCidr } from "./ip";
import { RULES } from "./rules";
import { notifyFraudConfigChanged } from "./runtime";
import { DomainError } from "../errors";

/** Every rule with its effective settings and the JSON schema of its params (the rules page builds its form from it). */
export async function listRules(db: Db) {
  const rows = await db.fraudRuleConfig.findMany();
  const config = compileConfig(rows);
  const byCode = new Map(rows.map((r) => [r.code, r]));
  return {
    thresholds: { ...config.thresholds, schema: z.toJSONSchema(thresholdsSchema, { io: "input" }) },
    rules: RULES.map((rule) => {
      const setting = config.rules.get(rule.code)!;
      return {
        code: rule.code,
        title: rule.title,
        description: rule.description,
        defaultSeverity: rule.defaultSeverity,
        defaults: rule.params.parse({}) as Record<string, unknown>,
        schema: z.toJSONSchema(rule.params, { io: "input" }),
        ...setting,
        updatedAt: byCode.get(rule.code)?.updatedAt ?? null,
      };
    }),
  };
}

export type RuleUpdate = z.output<typeof ruleUpdateSchema>;

async function saveConfigRow(db: Db, row: { code: string; enabled: boolean; severity: number; params: Record<string, unknown> }, actorId: string) {
  return db.$transaction(async (tx) => {
    const before = await tx.fraudRuleConfig.findUnique({ where: { code: row.code } });
    const data = { enabled: row.enabled, severity: row.severity, params: row.params as Prisma.InputJsonValue, updatedById: actorId };
    const saved = await tx.fraudRuleConfig.upsert({ where: { code: row.code }, create: { code: row.code, ...data }, update: data });
    await tx.auditLog.create({
      data: {
        actorId,
        action: "fraud.rule.update",
        entityType: "fraud_rule",
        entityId: row.code,
        data: { before: before ? { enabled: before.enabled, severity: before.severity, params: before.params } : null, after: { enabled: row.enabled, severity: row.severity, params: row.params } } as Prisma.InputJsonValue,
      },
    });
    await notifyFraudConfigChanged(tx, `rule:${row.code}`);
    return saved;
  });
}

export const updateRule = (db: Db, input: RuleUpdate, actorId: string) => saveConfigRow(db, input, actorId);

export const updateThresholds = (db: Db, input: Thresholds, actorId: string) =>
  saveConfigRow(db, { code: THRESHOLDS_CODE, enabled: true, severity: 0, params: input }, actorId);

/** A CIDR as typed by a manager, validated and written canonically ("10.0.0.1/8" is refused, not guessed). */
export const cidrSchema = z
  .string()
  .trim()
  .min(1, "Enter a CIDR such as 203.0.113.0/24")
  .transform((raw, ctx) => {
    const parsed = parseCidr(raw);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: `Invalid CIDR: ${parsed.error}` });
      return z.NEVER;
    }
    return parsed.cidr.text;
  });

export const listBlocks = (db: Db) => db.ipBlock.findMany({ orderBy: { createdAt: "asc" } });

export async function addBlock(db: Db, input: { cidr: string; label: string }, actorId: string) {
  try {
    return await db.$transaction(async (tx) => {
      const block = await tx.ipBlock.create({ data: input });
      await tx.auditLog.create({ data: { actorId, action: "fraud.block.add", entityType: "ip_block", entityId: block.id, data: input } });
      await notifyFraudConfigChanged(tx, "blocklist");
      return block;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new DomainError("conflict", `${input.cidr} is already on the block list.`);
    }
    throw error;
  }
}

export async function removeBlock(db: Db, id: string, actorId: string) {
  return db.$transaction(async (tx) => {
    const block = await tx.ipBlock.findUnique({ where: { id } });
    if (!block) throw new DomainError("not_found", "That block-list entry no longer exists.");
    await tx.ipBlock.delete({ where: { id } });
    await tx.auditLog.create({ data: { actorId, action: "fraud.block.remove", entityType: "ip_block", entityId: id, data: { cidr: block.cidr, label: block.label } } });
    await notifyFraudConfigChanged(tx, "blocklist");
    return block;
  });
}
