// The credit report: for a period and a currency, what each affiliate earned under last click (what is paid) and
// what the same sales would give them under first-click, linear and position-based credit (credit.ts).
//
// Which sales: conversions created in [from, to) that were neither refunded nor reversed by fraud review. The
// amount is the commission (in its own currency, the offer's) or the sale (revenue, in the sale's currency).
// "Last click (paid)" credits the conversion's affiliate — the last click, or the customer's first winner.
//
// Bounded work: one indexed range scan on conversions."createdAt" (the period is at most MAX_REPORT_DAYS), grouped
// in SQL by (paid affiliate, the path's affiliates): a program has few distinct paths, so the rows sent back are
// few whatever the volume. Each group's total is split once, exactly (largest remainder), so every model's column
// adds up to the same total to the minor unit.
import { Prisma } from "../db/generated/client";
import type { Db } from "../db";
import { CREDIT_MODELS, type CreditModel, creditByAffiliate } from "./credit";
import { DAY_MS } from "../reporting/period";

export const MAX_REPORT_DAYS = 366;

export type CreditMeasure = "commission" | "revenue";

export interface CreditReportInput {
  /** The period: `days` days up to `to` (default now). */
  days: number;
  to?: Date;
  measure: CreditMeasure;
  /** The currency to report in; the period's most used one when absent. */
  currency?: string;
}

export type CreditColumn = "paid" | CreditModel;

export interface CreditRow extends Record<CreditColumn, bigint> {
  affiliateId: string;
  name: string;
}

export interface CreditReport {
  from: Date;
  to: Date;
  measure: CreditMeasure;
  /** Null when the period has no conversions at all. */
  currency: string | null;
  /** Currencies of the period, most conversions first. */
  currencies: string[];
  conversions: number;
  /** Conversions whose path has more than one touch: where the models can differ. */
  multiTouch: number;
  total: bigint;
  /** Every affiliate credited under some model, most paid first. */
  rows: CreditRow[];
}

const zero = (): Record<CreditColumn, bigint> => ({ paid: 0n, first_click: 0n, linear: 0n, position_based: 0n });

export async function creditReport(db: Db, input: CreditReportInput): Promise<CreditReport> {
  const { measure } = input;
  const to = input.to ?? new Date();
  const from = new Date(to.getTime() - Math.min(input.days, MAX_REPORT_DAYS) * DAY_MS);
  const amount = measure === "commission" ? Prisma.sql`k."amountMinor"` : Prisma.sql`v."amountMinor"`;
  const currencyOf = measure === "commission" ? Prisma.sql`k.currency` : Prisma.sql`v.currency`;
  const source = Prisma.sql`FROM conversions v
    JOIN commissions k ON k."conversionId" = v.id AND k.kind = 'COMMISSION' AND k.status <> 'REVERSED'`;
  const inPeriod = Prisma.sql`v."createdAt" >= ${from} AND v."createdAt" < ${to} AND v.status <> 'REFUNDED'`;

  const currencies = (
    await db.$queryRaw<{ currency: string }[]>`SELECT ${currencyOf} AS currency ${source} WHERE ${inPeriod} GROUP BY 1 ORDER BY count(*) DESC, 1`
  ).map((r) => r.currency);
  const currency = input.currency ?? currencies[0] ?? null;
  const report: CreditReport = { from, to, measure, currency, currencies, conversions: 0, multiTouch: 0, total: 0n, rows: [] };
  if (!currency) return report;

  const groups = await db.$queryRaw<{ payee: string; path: string[]; amount: bigint; n: number }[]>`
    SELECT v."affiliateId" AS payee, p.path, sum(${amount})::bigint AS amount, count(*)::int AS n
    ${source}
    CROSS JOIN LATERAL (
      SELECT COALESCE(array_agg(t.touch->>'affiliateId' ORDER BY t.i), '{}') AS path
      FROM jsonb_array_elements(v."touchPath") WITH ORDINALITY AS t(touch, i)
    ) p
    WHERE ${inPeriod} AND ${currencyOf} = ${currency}
    GROUP BY 1, 2`;

  const credit = new Map<string, Record<CreditColumn, bigint>>();
  const add = (affiliateId: string, column: CreditColumn, value: bigint) => {
    let row = credit.get(affiliateId);
    if (!row) credit.set(affiliateId, (row = zero()));
    row[column] += value;
  };
  for (const group of groups) {
    const path = group.path.length > 0 ? group.path : [group.payee]; // rows from before paths were stored
    report.conversions += group.n;
    if (path.length > 1) report.multiTouch += group.n;
    report.total += group.amount;
    add(group.payee, "paid", group.amount);
    for (const model of CREDIT_MODELS) {
      for (const part of creditByAffiliate(group.amount, path, model)) add(part.affiliateId, model, part.amountMinor);
    }
  }

  const names = new Map((await db.affiliate.findMany({ where: { id: { in: [...credit.keys()] } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
  report.rows = [...credit]
    .map(([affiliateId, columns]) => ({ affiliateId, name: names.get(affiliateId) ?? "(deleted affiliate)", ...columns }))
    .sort((a, b) => (a.paid === b.paid ? a.name.localeCompare(b.name) : a.paid > b.paid ? -1 : 1));
  return report;
}
