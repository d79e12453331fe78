// Rows for the fraud tests: a conversion whose commission the engine held (or sent to review), with its flags,
// written the way the postback path writes them.
import { randomUUID } from "node:crypto";
import { db } from "../db";
import { createProgram, unique } from "../testing/fixtures";

export async function createFlaggedCommission(
  opts: {
    program?: Awaited<ReturnType<typeof createProgram>>;
    status?: "HELD" | "PENDING" | "APPROVED" | "PAID" | "REVERSED";
    holdUntil?: Date;
    conversionStatus?: "PENDING" | "APPROVED";
    codes?: string[];
    clickedAt?: Date;
  } = {},
) {
  const program = opts.program ?? (await createProgram());
  const { merchant, offer, affiliate, link } = program;
  const status = opts.status ?? "HELD";
  const codes = opts.codes ?? ["fast_conversion"];
  const clickId = unique("click");
  const conversion = await db.conversion.create({
    data: {
      merchantId: merchant.id,
      offerId: offer.id,
      affiliateId: affiliate.id,
      linkId: link.id,
      clickId,
      clickedAt: opts.clickedAt ?? new Date(Date.now() - 3_000),
      txnId: unique("txn"),
      amountMinor: 4990,
      currency: "EUR",
      status: opts.conversionStatus ?? "PENDING",
      fraudScore: status === "HELD" ? 60 : 40,
      fraudDecision: status === "HELD" ? "HOLD" : "REVIEW",
    },
  });
  const commission = await db.commission.create({
    data: {
      id: randomUUID(),
      conversionId: conversion.id,
      affiliateId: affiliate.id,
      offerId: offer.id,
      amountMinor: 1000,
      currency: "EUR",
      status,
      holdUntil: opts.holdUntil ?? new Date(Date.now() + 30 * 86_400_000),
      heldReason: status === "HELD" ? "the conversion arrived 3.0 s after the click (minimum 10 s)" : null,
    },
  });
  await db.fraudFlag.createMany({
    data: codes.map((code) => ({
      code,
      severity: 60,
      explanation: `${code} explanation`,
      evidence: { delayMs: 3000 },
      affiliateId: affiliate.id,
      conversionId: conversion.id,
      commissionId: commission.id,
      clickId,
    })),
  });
  return { program, conversion, commission };
}
