// Fraud checks through the real postback path: a held commission is written with its flags and a fraud.flagged
// outbox event by the same statement as the conversion; a conversion sent to review keeps a pending commission.
import { afterAll, describe, expect, it } from "vitest";
import { startPostbackServer } from "../conversions/testing";
import { db } from "../db";
import { env } from "../env";
import { createProgram, unique } from "../testing/fixtures";
import { createClickIdCodec } from "../tracking/click-id";
import { FraudEngine } from "./engine";
import { evaluateConversion, setFraudChecks } from "./index";
import { seedDemoFraud } from "./seed";
import { STARTER_BLOCKLIST } from "./starter-blocklist";

const engine = new FraudEngine({ log: () => {} });
engine.setBlocklist(STARTER_BLOCKLIST);
const client = await startPostbackServer({ evaluate: (c) => engine.evaluate(c) });
const codec = createClickIdCodec(env().CLICK_ID_SECRET);
afterAll(() => client.close());

async function postback(program: Awaited<ReturnType<typeof createProgram>>, clickedAgoMs: number, extra: Record<string, string> = {}) {
  const response = await client.get({ token: program.merchant.postbackToken, click_id: codec.sign(program.link.id, Date.now() - clickedAgoMs), txn_id: unique("txn"), amount: "49.90", currency: "EUR", ...extra });
  expect(response.status).toBe(200);
  return db.conversion.findUniqueOrThrow({ where: { id: response.body.conversion_id as string }, include: { commissions: true, fraudFlags: true } });
}

describe("postback with fraud checks", () => {
  it("holds the commission with its reason, flags and a fraud.flagged event, written together", async () => {
    const program = await createProgram();
    const conversion = await postback(program, 2_000);
    const [commission] = conversion.commissions;
    expect(conversion).toMatchObject({ fraudDecision: "HOLD", fraudScore: 60 });
    expect(commission).toMatchObject({ status: "HELD" });
    expect(commission!.heldReason).toMatch(/^the conversion arrived \d\.\d s after the click \(minimum 10 s\)$/);
    expect(conversion.fraudFlags).toEqual([
      expect.objectContaining({ code: "fast_conversion", severity: 60, status: "OPEN", commissionId: commission!.id, affiliateId: program.affiliate.id, clickId: conversion.clickId, createdAt: conversion.createdAt }),
    ]);
    const events = await db.outboxEvent.findMany({ where: { merchantId: program.merchant.id, type: "fraud.flagged" } });
    expect(events).toHaveLength(1);
    expect(events[0]!.createdAt).toEqual(conversion.createdAt);
    expect(events[0]!.payload).toMatchObject({ conversion_id: conversion.id, commission_id: commission!.id, decision: "hold", reason: commission!.heldReason, flags: [{ code: "fast_conversion" }] });
  });

  it("a conversion from a cloud range is held as non-human", async () => {
    const program = await createProgram();
    const conversion = await postback(program, 20 * 60_000, { ip: "3.91.10.10" });
    expect(conversion.commissions[0]).toMatchObject({ status: "HELD", heldReason: "the conversion came from 3.91.10.10, inside 3.0.0.0/9 (Amazon Web Services (EC2)), a blocked data-centre range" });
  });

  it("review: flags written, the commission stays pending, no fraud.flagged event", async () => {
    const program = await createProgram();
    engine.setConfig([{ code: "fast_conversion", enabled: true, severity: 40, params: {} }]);
    try {
      const conversion = await postback(program, 2_000);
      expect(conversion).toMatchObject({ fraudDecision: "REVIEW", fraudScore: 40 });
      expect(conversion.commissions[0]).toMatchObject({ status: "PENDING", heldReason: null });
      expect(conversion.fraudFlags.map((f) => f.code)).toEqual(["fast_conversion"]);
      expect(await db.outboxEvent.count({ where: { merchantId: program.merchant.id, type: "fraud.flagged" } })).toBe(0);
    } finally {
      engine.setConfig([]);
    }
  });

  it("honest conversions pass with no flags", async () => {
    const program = await createProgram();
    const conversion = await postback(program, 25 * 60_000, { ip: "86.140.3.4" });
    expect(conversion).toMatchObject({ fraudDecision: "PASS", fraudScore: 0, fraudFlags: [] });
    expect(conversion.commissions[0]).toMatchObject({ status: "PENDING" });
  });
});

describe("the off switch", () => {
  it("FRAUD_CHECKS=off passes every conversion unjudged; on again, the same conversion is held", async () => {
    const program = await createProgram();
    const candidate = { merchantId: program.merchant.id, offerId: program.offer.id, affiliateId: program.affiliate.id, linkId: program.link.id, clickId: unique("click"), clickedAt: new Date(Date.now() - 1_000), receivedAt: new Date(), customerId: null, ip: null, amountMinor: 100, currency: "EUR" };
    setFraudChecks(false);
    try {
      expect(evaluateConversion(candidate)).toEqual({ score: 0, decision: "PASS", flags: [], reason: null });
    } finally {
      setFraudChecks(true);
    }
    expect(evaluateConversion({ ...candidate, txnId: "again" }).decision).toBe("HOLD");
  });
});

describe("demo seed", () => {
  it("holds two of the affiliate's commissions through the postback path, each with its flag", async () => {
    const program = await createProgram();
    const ids = await seedDemoFraud({ affiliateEmail: program.affiliate.email });
    const conversions = await db.conversion.findMany({ where: { id: { in: ids } }, include: { commissions: true, fraudFlags: true }, orderBy: { txnId: "asc" } });
    expect(conversions.map((c) => [c.txnId, c.amountMinor, c.commissions[0]!.status, c.fraudFlags.map((f) => f.code)])).toEqual([
      ["DEMO-FRAUD-1", 12345, "HELD", ["fast_conversion"]],
      ["DEMO-FRAUD-2", 23456, "HELD", ["non_human"]],
    ]);
  });
});
