// The credit report: for a period and a currency, what each affiliate earned under last click (what is paid) and
// what the same sales would give them under first-click, linear and position-based credit (conversions/credit.ts).
//
// Which sales: conversions that were neither refunded nor reversed by fraud review (credit_facts, kept by triggers;
// rollups.ts). The amount is the commission (in its own currency, the offer's) or the sale (revenue, in the sale's
// currency). "Last click (paid)" credits the conversion's affiliate — the last click, or the customer's first winner.
// The period is whole UTC days: the `days` days before `to` (rounded up to a midnight; default: through today).
//
// Bounded work: the period's whole weeks from the per-(week, payee, touch path) rollup and its edge days from the
// per-day one, grouped by (payee, path) in SQL — rows per distinct path, not per sale. Each group's total is split
// once, exactly (largest remainder), so every model's column adds up to the same total to the minor unit. The
// report lists the MAX_ROWS most paid affiliates and sums the rest in one row: a program of 15,000 affiliates gets
// a readable page, and every column still adds up to the total.
import type { Db } from "../db";
import { getPool } from "../db";
import { CREDIT_MODELS, type CreditModel, creditByAffiliate } from "../conversions/credit";
import { DAY_MS, dayKey, wholeWeeks } from "./period";
import { rollupFrom } from "./rollups";

export const MAX_REPORT_DAYS = 366;
/** Affiliates listed by name (by default); the others are summed in `others`. */
export const MAX_ROWS = 100;

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
  /** The MAX_ROWS affiliates paid most (then by name), most paid first. */
  rows: CreditRow[];
  /** Every other affiliate credited under some model, summed (null: none). */
  others: ({ affiliates: number } & Record<CreditColumn, bigint>) | null;
}

const zero = (): Record<CreditColumn, bigint> => ({ paid: 0n, first_click: 0n, linear: 0n, position_based: 0n });

export async function creditReport(db: Db, input: CreditReportInput, { maxRows = MAX_ROWS } = {}): Promise<CreditReport> {
  const { measure } = input;
  const end = input.to ?? new Date();
  const to = new Date(Math.ceil(end.getTime() / DAY_MS) * DAY_MS);
  const from = new Date(to.getTime() - Math.min(input.days, MAX_REPORT_DAYS) * DAY_MS);
  const [currencyOf, amount] = measure === "commission" ? [`"commissionCurrency"`, `"commissionMinor"`] : [`"saleCurrency"`, `"saleMinor"`];
  const { weeksFrom, weeksTo } = wholeWeeks(from.getTime(), to.getTime());
  const period = [dayKey(from), dayKey(to), dayKey(new Date(weeksFrom)), dayKey(new Date(weeksTo))];
  const columns = `payee, path, "commissionCurrency", "saleCurrency", n, "commissionMinor", "saleMinor"`;
  const source = `(SELECT ${columns} FROM ${rollupFrom("rollup_credit_week")} w WHERE week >= $3::date AND week < $4::date
    UNION ALL
    SELECT ${columns} FROM ${rollupFrom("rollup_credit_day")} d WHERE day >= $1::date AND day < $2::date AND (day < $3::date OR day >= $4::date)) t WHERE true`;
  const pool = getPool();

  const currencies = (
    await pool.query<{ currency: string }>(`SELECT ${currencyOf} AS currency FROM ${source} GROUP BY 1 HAVING sum(n) > 0 ORDER BY sum(n) DESC, 1`, period)
  ).rows.map((r) => r.currency);
  const currency = input.currency ?? currencies[0] ?? null;
  const report: CreditReport = { from, to, measure, currency, currencies, conversions: 0, multiTouch: 0, total: 0n, rows: [], others: null };
  if (!currency) return report;

  const { rows: groups } = await pool.query<{ payee: string; path: string[]; amount: string; n: number }>(
    `SELECT payee, path, sum(${amount}) AS amount, sum(n)::int AS n FROM ${source} AND ${currencyOf} = $5 GROUP BY 1, 2 HAVING sum(n) > 0`,
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

  // Most paid first; ties by name, so the names of the affiliates tied at the cut are read too.
  const ranked = [...credit].sort(([, a], [, b]) => (a.paid === b.paid ? 0 : a.paid > b.paid ? -1 : 1));
  const cut = ranked.length > maxRows ? ranked[maxRows - 1]![1].paid : null;
  const named = cut === null ? ranked : ranked.filter(([, c], i) => i < maxRows || c.paid === cut);
  const names = new Map((await db.affiliate.findMany({ where: { id: { in: named.map(([id]) => id) } }, select: { id: true, name: true } })).map((a) => [a.id, a.name]));
  const rows = named
    .map(([affiliateId, columns]) => ({ affiliateId, name: names.get(affiliateId) ?? "(deleted affiliate)", ...columns }))
    .sort((a, b) => (a.paid === b.paid ? a.name.localeCompare(b.name) : a.paid > b.paid ? -1 : 1));
  report.rows = rows.slice(0, maxRows);
  const listed = new Set(report.rows.map((r) => r.affiliateId));
  for (const [affiliateId, columns] of ranked) {
    if (listed.has(affiliateId)) continue;
    report.others ??= { affiliates: 0, ...zero() };
    report.others.affiliates += 1;
    for (const column of Object.keys(columns) as CreditColumn[]) report.others[column] += columns[column];
  }
  return report;
}
