// What an affiliate earned: by status and currency (their links and traffic: server/links).
import { db } from "../db";
import type { CommissionStatus } from "../db";

export interface Earnings {
  currency: string;
  pending: number;
  held: number;
  approved: number;
  paid: number;
  reversed: number;
}

const STATUS_FIELD: Record<CommissionStatus, keyof Omit<Earnings, "currency">> = {
  PENDING: "pending",
  HELD: "held",
  APPROVED: "approved",
  PAID: "paid",
  REVERSED: "reversed",
};

/** Folds (currency, status, sum) rows into one line per currency, sorted by currency. */
export function summarizeEarnings(rows: Array<{ currency: string; status: CommissionStatus; amountMinor: number }>): Earnings[] {
  const byCurrency = new Map<string, Earnings>();
  for (const row of rows) {
    let line = byCurrency.get(row.currency);
    if (!line) byCurrency.set(row.currency, (line = { currency: row.currency, pending: 0, held: 0, approved: 0, paid: 0, reversed: 0 }));
    line[STATUS_FIELD[row.status]] += row.amountMinor;
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

export async function affiliateEarnings(affiliateId: string): Promise<Earnings[]> {
  const rows = await db.commission.groupBy({
    by: ["currency", "status"],
    where: { affiliateId },
    _sum: { amountMinor: true },
  });
  return summarizeEarnings(rows.map((r) => ({ currency: r.currency, status: r.status, amountMinor: r._sum.amountMinor ?? 0 })));
}
