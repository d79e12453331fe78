// The end of a fraud flag. Every flag is closed with an outcome (RELEASED or REVERSED), when, by whom (null: not a
// person) and a `resolution` saying how — whichever path settles its commission: a manager's decision
// (./review.ts), the merchant's refund (server/conversions/transitions.ts calls closeFlagsOfRefund), or a review of
// a commission that was already paid or reversed. A commission with open flags waits for a manager: the approval job
// and merchant approvals leave it pending (`withoutOpenFraudFlags`), so it is never paid unreviewed.
import { type Queryable, statement } from "../db/sql";

export const RESOLUTIONS = {
  release: "released by a manager",
  reverse: "reversed by a manager",
  refunded: "the merchant refunded the sale",
  PAID: "closed by a manager: the commission was already paid",
  REVERSED: "closed by a manager: the commission was already reversed",
} as const;

/**
 * SQL condition for a query over `commissions` (unaliased): the commission's conversion has no open fraud flag.
 * One probe of fraud_flags' conversionId index per commission.
 */
export const withoutOpenFraudFlags = `NOT EXISTS (SELECT 1 FROM fraud_flags f WHERE f."conversionId" = commissions."conversionId" AND f.status = 'OPEN')`;

const CLOSE_ON_REFUND_SQL = `
UPDATE fraud_flags SET status = 'REVERSED', "decidedAt" = $2, resolution = $3
WHERE "conversionId" = $1 AND status = 'OPEN'`;

/** Closes the open flags of a refunded conversion (its commission is reversed or clawed back); returns how many. */
export async function closeFlagsOfRefund(db: Queryable, conversionId: string, at: Date): Promise<number> {
  const result = await db.query(statement(CLOSE_ON_REFUND_SQL, [conversionId, at, RESOLUTIONS.refunded]));
  return result.rowCount ?? 0;
}
