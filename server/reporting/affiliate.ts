// What an affiliate sees about themself: earnings by status and currency, and their links with recent traffic.
import { db } from "../db";
import type { CommissionStatus } from "../db";
import { periodStart } from "./period";

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

export async function affiliateLinks(affiliateId: string, now = new Date()) {
  const since = periodStart(30, now);
  const [links, clicks, conversions] = await Promise.all([
    db.link.findMany({
      where: { affiliateId },
      orderBy: { createdAt: "desc" },
      select: {
        id: true,
        slug: true,
        destinationUrl: true,
        active: true,
        createdAt: true,
        offer: {
          select: {
            name: true,
            payoutModel: true,
            cpaAmountMinor: true,
            revshareBps: true,
            currency: true,
            merchant: { select: { name: true } },
          },
        },
      },
    }),
    db.click.groupBy({ by: ["linkId"], where: { affiliateId, billable: true, createdAt: { gte: since } }, _count: { _all: true } }),
    db.conversion.groupBy({ by: ["linkId"], where: { affiliateId, createdAt: { gte: since } }, _count: { _all: true } }),
  ]);
  const clickCount = new Map(clicks.map((c) => [c.linkId, c._count._all]));
  const conversionCount = new Map(conversions.map((c) => [c.linkId, c._count._all]));
  return links.map((link) => ({
    ...link,
    clicks30d: clickCount.get(link.id) ?? 0,
    conversions30d: conversionCount.get(link.id) ?? 0,
  }));
}
