// Which commissions a payout pays, as SQL conditions (no imports: the refund path uses them too). A payout claims
// the APPROVED, unattached commissions of its affiliate in its currency approved up to its cutoff, without an open
// fraud flag, for as long as it is in flight; once paid they are attached (payoutId) and PAID. See ./runs.ts.

/**
 * Commission `c`'s conversion has an open fraud flag. An uncorrelated IN: PostgreSQL hashes the (few) flagged
 * conversions once per statement instead of probing fraud_flags once per commission (NOT EXISTS did that: ~3 µs a
 * commission, seconds at a million).
 */
export const OPEN_FLAG = (c: string) =>
  `${c}."conversionId" IN (SELECT f."conversionId" FROM fraud_flags f WHERE f.status = 'OPEN' AND f."conversionId" IS NOT NULL)`;

/** A payout that still claims commissions (not yet attached) or may still be paid. */
export const IN_FLIGHT = (p: string) => `(${p}.status IN ('PENDING', 'SENT') OR (${p}.status = 'PAID' AND ${p}."commissionsSettledAt" IS NULL))`;

/** SQL condition: commission `c` belongs to payout `p` (attached, or claimed while `p` is in flight). */
export const CLAIM = (c: string, p: string) => `${c}."affiliateId" = ${p}."affiliateId" AND ${c}.currency = ${p}.currency AND (
  (${c}."payoutId" = ${p}.id AND ${c}.status IN ('APPROVED', 'PAID')) OR (${c}."payoutId" IS NULL AND ${IN_FLIGHT(p)} AND ${c}.status = 'APPROVED'
    AND COALESCE(${c}."approvedAt", ${c}."createdAt") <= ${p}.cutoff AND NOT ${OPEN_FLAG(c)}))`;


/** The claimed half of CLAIM alone (unattached commissions): simpler for the planner where attachment is known. */
export const CLAIMED = (c: string, p: string) => `${c}."affiliateId" = ${p}."affiliateId" AND ${c}.currency = ${p}.currency
  AND ${c}."payoutId" IS NULL AND ${c}.status = 'APPROVED' AND COALESCE(${c}."approvedAt", ${c}."createdAt") <= ${p}.cutoff AND NOT ${OPEN_FLAG(c)}`;
