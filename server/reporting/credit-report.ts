// The credit report: for a period and a currency, what each affiliate earned under last click (what is paid) and
// what the same sales would give them under first-click, linear and position-based credit (conversions/credit.ts).
//
// Which sales: conversions that were neither refunded nor reversed by fraud review (credit_facts, kept by triggers;
// rollups.ts). The amount is the commission (in its own currency, the offer's) or the sale (revenue, in the sale's
// currency). "Last click (paid)" credits the conversion's affiliate — the last click, or the customer's first winner.
// The period is whole UTC days: the `days` days before `to` (rounded up to a midnight; default: through today).
//
// Bounded work: the per-(day, payee, touch path) rollup, grouped by (payee, path) in SQL — rows per distinct path,
// not per sale. Each group's total is split once, exactly (largest remainder), so every model's column adds up to
// the same total to the minor unit.
import type { Db } from "../db";
import { getPool } from "../db";
import { CREDIT_MODELS, type CreditModel, creditByAffiliate } from "../conversions/credit";
import { DAY_MS, dayKey } from "./period";
import { rollupFrom } from "./rollups";

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
  const end = input.to ?? new Date();
  const to = new Date(Math.ceil(end.getTime() / DAY_MS) * DAY_MS);
  const from = new Date(to.getTime() - Math.min(input.days, MAX_REPORT_DAYS) * DAY_MS);
  const [currencyOf, amount] = measure === "commission" ? [`"commissionCurrency"`, `"commissionMinor"`] : [`"saleCurrency"`, `"saleMinor"`];
  const period = [dayKey(from), dayKey(new Date(to.getTime() - DAY_MS))];
  const source = `${rollupFrom("rollup_credit_day")} t WHERE day BETWEEN $1::date AND $2::date`;
  const pool = getPool();

  const currencies = (
    await pool.query<{ currency: string }>(`SELECT ${currencyOf} AS currency FROM ${source} GROUP BY 1 HAVING sum(n) > 0 ORDER BY sum(n) DESC, 1`, period)
  ).rows.map((r) => r.currency);
  const currency = input.currency ?? currencies[0] ?? null;
  const report: CreditReport = { from, to, measure, currency, currencies, conversions: 0, multiTouch: 0, total: 0n, rows: [] };
  if (!currency) return report;

  const { rows: groups } = await pool.query<{ payee: string; path: string[]; amount: string; n: number }>(
    `SELECT payee, path, sum(${amount}) AS amount, sum(n)::int AS n FROM ${source} AND ${currencyOf} = $3 GROUP BY 1, 2 HAVING sum(n) > 0`,
    [...period, currency],
  );
  const credit = new Map<string, Record<CreditColumn, bigint>>();
  const add = (affiliateId: string, column: CreditColumn, value: bigint) => {
    let row = credit.get(affiliateId);
    if (!row) credit.set(affiliateId, (row = zero()));
    row[column] += value;
  };
  for (const { amount: sum, ...group } of groups) {
    const path = group.path.length > 0 ? group.path : [group.payee]; // rows from before paths were stored
    report.conversions += group.n;
    if (path.length > 1) report.multiTouch += group.n;
    const amount = BigInt(sum);
    report.total += amount;
    add(group.payee, "paid", amount);
    for (const model of CREDIT_MODELS) {
      for (const part of creditByAffiliate(amount, path, model)) add(part.affiliateId, model, part.amountMinor);
    }
  }

  const names = new Map((await db.affiliate.findMany({ where: { id: { in: [...credit.keys()] } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
  report.rows = [...credit]
    .map(([affiliateId, columns]) => ({ affiliateId, name: names.get(affiliateId) ?? "(deleted affiliate)", ...columns }))
    .sort((a, b) => (a.paid === b.paid ? a.name.localeCompare(b.name) : a.paid > b.paid ? -1 : 1));
  return report;
}
