// Status changes a merchant's postback can make to an existing conversion. Statuses only move forward:
//   conversion  PENDING → APPROVED → REFUNDED (or PENDING → REFUNDED); REFUNDED is final.
//   commission  PENDING/HELD/APPROVED → REVERSED on refund; a PAID commission stays PAID and a negative ADJUSTMENT
//               (status APPROVED) claws it back from the affiliate's next payout.
// A repeated transition (refund of a refund, approval of an approved sale) is a duplicate: 200, nothing changes.
// An approval after a refund is a conflict (409). Each change, its outbox events and its postback log row commit in
// one transaction, under row locks, so concurrent refunds, approvals and payout runs serialise.
//
// Lock order, program-wide: a conversion's COMMISSION row first, then the conversion row. The approval job and
// manager approvals (approval.ts), fraud review and payout runs all lock commissions first too, so two of them on
// the same sale wait for each other instead of deadlocking (a deadlock would abort one: a 503 to the merchant).
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { closeFlagsOfRefund, withoutOpenFraudFlags } from "../fraud/flags";
import { minorToDecimal } from "../money";
import { CLAIM } from "../payouts/claim";
import { type ConversionFacts, commissionPayload, conversionPayload, event } from "./events";
import { inTransaction } from "../db/sql";
import { type ConversionStatus, type LogDraft, type OutboxDraft, type Queryable, insertEvents, statement, writeLog } from "./store";

export type LogFields = Pick<LogDraft, "method" | "params" | "ip" | "receivedAt">;

export interface TransitionHooks {
  /** Test seam: runs inside the transaction after its first write. */
  midTransaction?: (client: pg.PoolClient) => Promise<void>;
}

export type TransitionResult =
  | { kind: "changed"; conversionId: string; message: string }
  | { kind: "duplicate"; conversionId: string }
  | { kind: "conflict"; conversionId: string; status: ConversionStatus }
  | { kind: "missing" };

function logAccepted(db: Queryable, merchantId: string, conversionId: string, reasonCode: "approved" | "refunded", message: string, log: LogFields) {
  return writeLog(db, { ...log, merchantId, outcome: "ACCEPTED", reasonCode, message, httpStatus: 200, conversionId });
}

/** The conversion row as locked for a status change (sub1..sub5 as columns). */
type LockedConversion = Omit<ConversionFacts, "merchantId" | "subs" | "status"> & {
  status: ConversionStatus;
} & Record<"sub1" | "sub2" | "sub3" | "sub4" | "sub5", string | null>;

interface LockedCommission {
  id: string;
  status: "PENDING" | "HELD" | "APPROVED" | "PAID" | "REVERSED";
  amountMinor: number;
  currency: string;
  calculation: string;
  paidAt: Date | null;
  /** In a payout whose batch is approved or further: its amount is on its way, so a refund is a claw-back. */
  inFrozenPayout?: boolean;
}

/** Merchant approval (status=approved): the conversion, and its commission unless fraud checks hold it. */
export async function approveConversion(client: pg.PoolClient, merchantId: string, conversionId: string, log: LogFields, hooks: TransitionHooks = {}): Promise<TransitionResult> {
  return inTransaction(client, async () => {
    const { conversion, commission } = await lockSale(client, merchantId, { id: conversionId });
    if (!conversion) return { kind: "missing" };
    if (conversion.status === "APPROVED") return { kind: "duplicate", conversionId };
    if (conversion.status === "REFUNDED") return { kind: "conflict", conversionId, status: conversion.status };
    const at = log.receivedAt;
    await client.query(statement(`UPDATE conversions SET status = 'APPROVED', "updatedAt" = $2 WHERE id = $1`, [conversionId, at]));
    await hooks.midTransaction?.(client);
    let approved = false;
    if (commission?.status === "PENDING") {
      // A commission with open fraud flags stays pending: a manager decides it (server/fraud/flags.ts).
      const sql = `UPDATE commissions SET status = 'APPROVED', "approvedAt" = $2, "updatedAt" = $2 WHERE id = $1 AND ${withoutOpenFraudFlags}`;
      approved = (await client.query(statement(sql, [commission.id, at]))).rowCount === 1;
    }
    const message = approved ? "Approved by the merchant: the commission is payable." : "Approved by the merchant; the commission keeps its status (held, under fraud review or already settled).";
    await logAccepted(client, merchantId, conversionId, "approved", message, log);
    return { kind: "changed", conversionId, message };
  });
}

/**
 * Merchant refund (status=refunded). Reverses the commission; when it was already paid, writes the claw-back as a
 * negative ADJUSTMENT (APPROVED, so the next payout run nets it against new earnings).
 */
export async function refundConversion(client: pg.PoolClient, merchantId: string, txnId: string, log: LogFields, hooks: TransitionHooks = {}): Promise<TransitionResult> {
  return inTransaction(client, async () => {
    const { conversion, commission } = await lockSale(client, merchantId, { txnId });
    if (!conversion) return { kind: "missing" };
    if (conversion.status === "REFUNDED") return { kind: "duplicate", conversionId: conversion.id };
    const at = log.receivedAt;
    await client.query(statement(`UPDATE conversions SET status = 'REFUNDED', "updatedAt" = $2 WHERE id = $1`, [conversion.id, at]));
    await hooks.midTransaction?.(client);

    const facts = {
      ...conversion,
      merchantId,
      status: "REFUNDED",
      subs: [conversion.sub1, conversion.sub2, conversion.sub3, conversion.sub4, conversion.sub5],
    };
    const events: OutboxDraft[] = [event("conversion.reversed", { ...conversionPayload(facts), reversed_at: at.toISOString() })];
    let message = "Refunded: the conversion is reversed.";
    if (commission?.status === "PAID" || (commission?.status === "APPROVED" && commission.inFrozenPayout)) {
      const adjustment = await insertClawback(client, conversion, commission, at);
      message = `Refunded after payment: a ${minorToDecimal(adjustment.amountMinor, adjustment.currency)} ${adjustment.currency} adjustment goes to the affiliate's next payout.`;
      events.push(
        event("commission.reversed", {
          ...commissionPayload({ ...commissionFacts(conversion, commission), status: "PAID" }),
          adjustment: commissionPayload(adjustment).commission,
          reversed_at: at.toISOString(),
        }),
      );
    } else if (commission && commission.status !== "REVERSED") {
      await client.query(
        statement(`UPDATE commissions SET status = 'REVERSED', "reversedAt" = $2, "updatedAt" = $2 WHERE id = $1`, [commission.id, at]),
      );
      message = "Refunded: the conversion and its commission are reversed.";
      events.push(event("commission.reversed", { ...commissionPayload({ ...commissionFacts(conversion, commission), status: "REVERSED" }), reversed_at: at.toISOString() }));
    }
    await closeFlagsOfRefund(client, conversion.id, at); // its open fraud flags end with the refund (server/fraud)
    await insertEvents(client, merchantId, events, at);
    await logAccepted(client, merchantId, conversion.id, "refunded", message, log);
    return { kind: "changed", conversionId: conversion.id, message };
  });
}

/** Locks a sale for a status change, in the program's lock order: its commission, then the conversion. */
async function lockSale(db: Queryable, merchantId: string, by: { id: string } | { txnId: string }): Promise<{ conversion: LockedConversion | null; commission: LockedCommission | null }> {
  const [column, value] = "id" in by ? ["id", by.id] : ['"txnId"', by.txnId];
  const commissions = await db.query<LockedCommission>(
    statement(
      `SELECT k.id, k.status, k."amountMinor", k.currency, k.calculation, k."paidAt", k."payoutId"
       FROM commissions k JOIN conversions v ON v.id = k."conversionId"
       WHERE v."merchantId" = $1 AND v.${column} = $2 AND k.kind = 'COMMISSION'
       FOR UPDATE OF k`,
      [merchantId, value],
    ),
  );
  const claimed = commissions.rows[0];
  if (claimed?.status === "APPROVED") {
    // The payout claiming it, if any (server/payouts/runs.ts), with its batch read FOR SHARE: a batch approval (which
    // freezes amounts) waits for this sale, or this sale sees it frozen. Payout steps never lock a commission row
    // while holding a batch lock, so no cycle.
    const batch = await db.query<{ frozen: boolean }>(
      statement(
        `SELECT b.status NOT IN ('DRAFT', 'CANCELLED') AS frozen
         FROM commissions c JOIN payouts p ON ${CLAIM("c", "p")} JOIN payout_batches b ON b.id = p."batchId"
         WHERE c.id = $1 AND p.status NOT IN ('FAILED', 'CANCELLED') FOR SHARE OF b`,
        [claimed.id],
      ),
    );
    claimed.inFrozenPayout = batch.rows.some((r) => r.frozen);
  }
  const conversions = await db.query<LockedConversion>(
    statement(
      `SELECT id, status, "offerId", "affiliateId", "linkId", "clickId", "clickedAt", "txnId", event, "customerId",
              "amountMinor", currency, sub1, sub2, sub3, sub4, sub5, "createdAt"
       FROM conversions WHERE "merchantId" = $1 AND ${column} = $2 FOR UPDATE`,
      [merchantId, value],
    ),
  );
  return { conversion: conversions.rows[0] ?? null, commission: commissions.rows[0] ?? null };
}

function commissionFacts(conversion: LockedConversion, commission: LockedCommission) {
  return {
    id: commission.id,
    kind: "COMMISSION" as const,
    conversionId: conversion.id,
    txnId: conversion.txnId,
    affiliateId: conversion.affiliateId,
    offerId: conversion.offerId,
    amountMinor: commission.amountMinor,
    currency: commission.currency,
    status: commission.status,
    calculation: commission.calculation,
    holdUntil: null,
    heldReason: null,
  };
}

async function insertClawback(db: Queryable, conversion: LockedConversion, paid: LockedCommission, at: Date) {
  const adjustment = {
    ...commissionFacts(conversion, paid),
    id: randomUUID(),
    kind: "ADJUSTMENT" as const,
    amountMinor: -paid.amountMinor,
    status: "APPROVED",
    calculation: `claw-back of commission ${paid.id} (${minorToDecimal(paid.amountMinor, paid.currency)} ${paid.currency}, ${paid.paidAt ? `paid ${paid.paidAt.toISOString().slice(0, 10)}` : "in a payout already on its way"}): the sale was refunded`,
    holdUntil: at,
  };
  // (conversionId, kind) is unique: a conversion is refunded once, so it gets at most one claw-back.
  await db.query(
    statement(
      `INSERT INTO commissions (id, kind, "conversionId", "affiliateId", "offerId", "amountMinor", currency, status,
         calculation, "holdUntil", "approvedAt", "createdAt", "updatedAt")
       VALUES ($1, 'ADJUSTMENT', $2, $3, $4, $5, $6, 'APPROVED', $7, $8, $8, $8, $8)
       ON CONFLICT ("conversionId", kind) DO NOTHING`,
      [adjustment.id, conversion.id, conversion.affiliateId, conversion.offerId, adjustment.amountMinor, paid.currency, adjustment.calculation, at],
    ),
  );
  return adjustment;
}
