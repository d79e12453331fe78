// Exchange rates, as managers keep them: a rate says 1 `base` = `rate` `quote` on a day (UTC). Postbacks convert a
// sale in another currency than its offer's with the latest rate of the pair (either direction) on or before the
// sale's day, if it is at most FX_MAX_AGE_DAYS old (server/conversions/commission.ts).
//
// Rates are typed as decimal text and stored as NUMERIC(20,10) without ever passing through a float. A stored rate
// is never changed: commissions point at the rate they were computed with. One rate per pair and day, whichever
// way round it is quoted (the inverse is derived exactly). Every addition is audited.
import { z } from "zod";
import { FX_MAX_AGE_DAYS } from "../conversions/commission";
import type { Db } from "../db";
import { SUPPORTED_CURRENCIES, supportedExponent } from "../money/amount";
import { daysBetween } from "../reporting/period";
import { DomainError } from "../errors";

const today = () => new Date().toISOString().slice(0, 10);

const currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine((code) => supportedExponent(code) !== null, { error: `One of ${Object.keys(SUPPORTED_CURRENCIES).join(", ")}` });

export const fxRateInput = z
  .object({
    base: currency,
    quote: currency,
    rate: z
      .string()
      .trim()
      .regex(/^\d{1,10}(\.\d{1,10})?$/, { error: "A decimal with a dot: up to 10 digits before it and 10 after it, e.g. 1.0842" })
      .refine((rate) => /[1-9]/.test(rate), { error: "The rate must be more than 0" }),
    asOf: z.iso.date({ error: "A date, e.g. 2026-12-01" }).refine((day) => day <= today(), { error: "The date is in the future: add a rate on its day" }),
  })
  .refine((r) => r.base !== r.quote, { error: "Pick two different currencies", path: ["quote"] });

export type FxRateInput = z.infer<typeof fxRateInput>;

export interface FxPair {
  base: string;
  quote: string;
  rate: string;
  asOf: string;
  /** Days since the rate's day; past FX_MAX_AGE_DAYS postbacks refuse it (fx_rate_stale). */
  ageDays: number;
  stale: boolean;
}

export interface FxRow {
  id: string;
  base: string;
  quote: string;
  rate: string;
  asOf: string;
  createdAt: Date;
}

const RECENT_ROWS = 20;

/** The latest rate of each pair (with its age) and the most recently dated rates. */
export async function listFxRates(db: Db): Promise<{ maxAgeDays: number; pairs: FxPair[]; recent: FxRow[] }> {
  const [latest, recent] = await Promise.all([
    db.$queryRaw<Omit<FxPair, "ageDays" | "stale">[]>`
      SELECT DISTINCT ON (base, quote) base, quote, trim_scale(rate)::text AS rate, "asOf"::text AS "asOf"
      FROM fx_rates ORDER BY base, quote, "asOf" DESC`,
    db.$queryRaw<FxRow[]>`
      SELECT id, base, quote, trim_scale(rate)::text AS rate, "asOf"::text AS "asOf", "createdAt"
      FROM fx_rates ORDER BY "asOf" DESC, base, quote LIMIT ${RECENT_ROWS}`,
  ]);
  const pairs = latest.map((p) => {
    const ageDays = daysBetween(p.asOf, today());
    return { ...p, ageDays, stale: ageDays > FX_MAX_AGE_DAYS };
  });
  return { maxAgeDays: FX_MAX_AGE_DAYS, pairs, recent };
}

export async function addFxRate(db: Db, input: FxRateInput, actorId: string): Promise<FxRow> {
  const asOf = new Date(`${input.asOf}T00:00:00Z`);
  return db.$transaction(async (tx) => {
    // One rate per pair and day in either direction: serialise additions of the pair (both ways) for that day.
    const key = `fx:${[input.base, input.quote].sort().join("/")}:${input.asOf}`;
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${key}::text))`;
    const existing = await tx.fxRate.findFirst({
      where: { asOf, OR: [{ base: input.base, quote: input.quote }, { base: input.quote, quote: input.base }] },
    });
    if (existing) {
      throw new DomainError(
        "conflict",
        `A ${existing.base}/${existing.quote} rate for ${input.asOf} is already stored (${existing.rate.toFixed()}). Stored rates are kept as they are: commissions were computed with them.`,
      );
    }
    const row = await tx.fxRate.create({ data: { base: input.base, quote: input.quote, rate: input.rate, asOf } });
    await tx.auditLog.create({ data: { actorId, action: "fx_rate.created", entityType: "fx_rate", entityId: row.id, data: { base: input.base, quote: input.quote, rate: input.rate, asOf: input.asOf } } });
    return { id: row.id, base: row.base, quote: row.quote, rate: row.rate.toFixed(), asOf: input.asOf, createdAt: row.createdAt };
  });
}
