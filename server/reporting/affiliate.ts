// What an affiliate earned: by status and currency, from the per-(affiliate, day, offer) commission rollup — a few
// rows per day the affiliate earned on, whatever the volume.
import { getPool } from "../db";
import type { CommissionStatus } from "../db";
import { rollupFrom } from "./rollups";

export interface Earnings {
  currency: string;
  pending: bigint;
  held: bigint;
  approved: bigint;
  paid: bigint;
  reversed: bigint;
}

const STATUS_FIELD: Record<CommissionStatus, keyof Omit<Earnings, "currency">> = {
  PENDING: "pending",
  HELD: "held",
  APPROVED: "approved",
  PAID: "paid",
  REVERSED: "reversed",
};

/** Folds (currency, status, sum) rows into one line per currency, sorted by currency. */
export function summarizeEarnings(rows: Array<{ currency: string; status: CommissionStatus; amountMinor: bigint | number }>): Earnings[] {
  const byCurrency = new Map<string, Earnings>();
  for (const row of rows) {
    let line = byCurrency.get(row.currency);
    if (!line) byCurrency.set(row.currency, (line = { currency: row.currency, pending: 0n, held: 0n, approved: 0n, paid: 0n, reversed: 0n }));
    line[STATUS_FIELD[row.status]] += BigInt(row.amountMinor);
  }
  return [...byCurrency.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

export async function affiliateEarnings(affiliateId: string): Promise<Earnings[]> {
  const { rows } = await getPool().query<{ currency: string; status: CommissionStatus; amountMinor: string }>(
    `SELECT currency, status, sum("amountMinor") AS "amountMinor" FROM ${rollupFrom("rollup_affiliate_day_commissions")} t
     WHERE "affiliateId" = $1 GROUP BY 1, 2 HAVING sum(n) <> 0`,
    [affiliateId],
  );
  return summarizeEarnings(rows.map((r) => ({ ...r, amountMinor: BigInt(r.amountMinor) })));
}
