// Flags never stay open forever, through the real paths: a merchant's refund closes them with the outcome; the
// approval job and a merchant's approval leave a commission with open flags pending until a manager decides.
import { afterAll, describe, expect, it } from "vitest";
import { approveDueCommissions } from "../conversions/approval";
import { commissionStatusLabel } from "../conversions/labels";
import { startPostbackServer } from "../conversions/testing";
import { db, getPool } from "../db";
import { env } from "../env";
import { callerFor, createConversion, createManager, createProgram, unique } from "../testing/fixtures";
import { createClickIdCodec } from "../tracking/click-id";
import { FraudEngine } from "./engine";
import { createFlaggedCommission } from "./test-support";
import { judge } from "./index";

const engine = new FraudEngine({ log: () => {} });
const server = await startPostbackServer({ evaluate: (c, click) => judge(engine, c, click) });
const codec = createClickIdCodec(env().CLICK_ID_SECRET);
const api = callerFor(await createManager());
afterAll(() => server.close());

type Program = Awaited<ReturnType<typeof createProgram>>;

/** A postback 2 s after its click: held (fast_conversion) — or sent to review when the rule's severity is 40. */
async function flaggedSale(program: Program) {
  const txn_id = unique("txn");
  const response = await server.get({ token: program.merchant.postbackToken, click_id: codec.sign(program.link.id, Date.now() - 2_000), txn_id, amount: "49.90", currency: "EUR" });
  expect(response.status).toBe(200);
  const conversion = await db.conversion.findUniqueOrThrow({ where: { id: response.body.conversion_id as string }, include: { commissions: true } });
  return { txn_id, conversion, commission: conversion.commissions[0]! };
}

const flagsOf = (conversionId: string) => db.fraudFlag.findMany({ where: { conversionId } });

describe("a refund", () => {
  it("closes the open flags of a held commission as reversed, with the refund as the outcome", async () => {
    const program = await createProgram();
    const { txn_id, conversion, commission } = await flaggedSale(program);
    expect(commission.status).toBe("HELD");
    const refund = await server.get({ token: program.merchant.postbackToken, txn_id, status: "refunded" });
    expect(refund.status).toBe(200);
    expect(await flagsOf(conversion.id)).toEqual([expect.objectContaining({ status: "REVERSED", resolution: "the merchant refunded the sale", decidedById: null, decidedAt: expect.any(Date) })]);
    const after = await db.commission.findUniqueOrThrow({ where: { id: commission.id }, include: { conversion: { select: { status: true } } } });
    expect(commissionStatusLabel(after)).toBe("reversed: the sale was refunded");
    expect((await api.fraud.queue()).some((g) => g.items.some((i) => i.commission?.id === commission.id))).toBe(false);
  });

  it("after payment too: the claw-back goes out and the flags close", async () => {
    const program = await createProgram();
    const { txn_id, conversion, commission } = await flaggedSale(program);
    await db.commission.update({ where: { id: commission.id }, data: { status: "PAID", paidAt: new Date() } }); // paid unreviewed (before this fix)
    await server.get({ token: program.merchant.postbackToken, txn_id, status: "refunded" });
    expect((await flagsOf(conversion.id)).map((f) => f.status)).toEqual(["REVERSED"]);
    expect(await db.commission.count({ where: { conversionId: conversion.id, kind: "ADJUSTMENT" } })).toBe(1);
  });
});

describe("approvals wait for a manager", () => {
  it("the approval job leaves a due commission with open flags pending; released by a manager, it is approved", async () => {
    const program = await createProgram();
    const past = new Date(Date.now() - 60_000);
    const flagged = await createFlaggedCommission({ program, status: "PENDING", holdUntil: past, codes: ["click_spamming"] });
    const clean = await createConversion(program.link, { commission: { holdUntil: past } });
    expect(await approveDueCommissions(getPool(), { offerId: program.offer.id })).toBe(1);
    const status = async (id: string) => (await db.commission.findUniqueOrThrow({ where: { id } })).status;
    expect([await status(flagged.commission.id), await status(clean.commission.id)]).toEqual(["PENDING", "APPROVED"]);

    await api.fraud.decide({ commissionIds: [flagged.commission.id], decision: "release" }); // due: approved now
    expect(await status(flagged.commission.id)).toBe("APPROVED");
  });

  it("a merchant's approval of a sale under review approves the conversion, not the commission", async () => {
    const program = await createProgram();
    engine.setConfig([{ code: "fast_conversion", enabled: true, severity: 40, params: {} }]);
    try {
      const { txn_id, conversion, commission } = await flaggedSale(program);
      expect(commission.status).toBe("PENDING");
      const approval = await server.get({ token: program.merchant.postbackToken, txn_id, status: "approved" });
      expect(approval.body.message).toBe("Approved by the merchant; the commission keeps its status (held, under fraud review or already settled).");
      expect((await db.conversion.findUniqueOrThrow({ where: { id: conversion.id } })).status).toBe("APPROVED");
      expect((await db.commission.findUniqueOrThrow({ where: { id: commission.id } })).status).toBe("PENDING");

      const released = await api.fraud.decide({ commissionIds: [commission.id], decision: "release" });
      expect(released.decided).toEqual([{ commissionId: commission.id, from: "PENDING", to: "APPROVED" }]);
    } finally {
      engine.setConfig([]);
    }
  });
});

describe("status labels", () => {
  it("say why a commission is held or was reversed", () => {
    expect(commissionStatusLabel({ status: "HELD", heldReason: "too fast" })).toBe("held: too fast");
    expect(commissionStatusLabel({ status: "REVERSED", heldReason: "too fast" })).toBe("reversed: too fast");
    expect(commissionStatusLabel({ status: "REVERSED", heldReason: "too fast", conversion: { status: "REFUNDED" } })).toBe("reversed: the sale was refunded");
    expect(commissionStatusLabel({ status: "REVERSED", heldReason: null })).toBe("reversed");
    expect(commissionStatusLabel({ kind: "ADJUSTMENT", status: "APPROVED", heldReason: null })).toBe("adjustment · approved");
  });
});
