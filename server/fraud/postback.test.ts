// Fraud checks through the real postback path: a held commission is written with its flags and a fraud.flagged
// outbox event by the same statement as the conversion; a conversion sent to review keeps a pending commission; a
// click this process never counted is judged from its row.
import client from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { startPostbackServer } from "../conversions/testing";
import { db } from "../db";
import { env } from "../env";
import { createProgram, unique } from "../testing/fixtures";
import { createClickIdCodec } from "../tracking/click-id";
import { FraudEngine } from "./engine";
import { evaluateConversion, fraudEngine, judge, setFraudChecks } from "./index";
import { DEMO_IDENTITIES, seedDemoFraud } from "../seed/fraud";
import { STARTER_BLOCKLIST } from "./starter-blocklist";

const engine = new FraudEngine({ log: () => {} });
engine.setBlocklist(STARTER_BLOCKLIST);
const server = await startPostbackServer({ evaluate: (c, click) => judge(engine, c, click) });
const codec = createClickIdCodec(env().CLICK_ID_SECRET);
afterAll(() => server.close());

type Program = Awaited<ReturnType<typeof createProgram>>;

async function postback(program: Program, clickedAgoMs: number, extra: Record<string, string> = {}) {
  const response = await server.get({ token: program.merchant.postbackToken, click_id: codec.sign(program.link.id, Date.now() - clickedAgoMs), txn_id: unique("txn"), amount: "49.90", currency: "EUR", ...extra });
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
    expect(conversion.commissions[0]).toMatchObject({ status: "HELD", heldReason: "the conversion came from an IP address inside 3.0.0.0/9 (Amazon Web Services (EC2)), a blocked data-centre range" });
    expect(conversion.fraudFlags[0]!.explanation).toBe("the conversion came from 3.91.10.10, inside 3.0.0.0/9 (Amazon Web Services (EC2)), a blocked data-centre range");
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

describe("a click served by another instance (its row written there; this engine never saw it)", () => {
  /** Writes the click row as another instance's click sink would, and returns its signed id. */
  async function clickElsewhere(program: Program, fields: { ip: string; userAgent: string; isBot?: boolean }) {
    const clickedAt = Date.now() - 2 * 3_600_000;
    const id = codec.sign(program.link.id, clickedAt);
    const { isBot = false, ...rest } = fields;
    await db.click.create({ data: { id, linkId: program.link.id, affiliateId: program.affiliate.id, offerId: program.offer.id, createdAt: new Date(clickedAt), isBot, billable: !isBot, ...rest } });
    expect(engine.remembers(id)).toBe(false);
    return id;
  }

  async function convert(program: Program, clickId: string) {
    const response = await server.get({ token: program.merchant.postbackToken, click_id: clickId, txn_id: unique("txn"), amount: "49.90", currency: "EUR", ip: "86.140.3.9" });
    expect(response.status).toBe(200);
    return db.conversion.findUniqueOrThrow({ where: { id: response.body.conversion_id as string }, include: { commissions: true, fraudFlags: true } });
  }

  it("a bot's click is held as non-human, read from the click's row", async () => {
    const program = await createProgram();
    const clickId = await clickElsewhere(program, { ip: "86.140.3.8", userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", isBot: true });
    const conversion = await convert(program, clickId);
    expect(conversion.commissions[0]!.status).toBe("HELD");
    expect(conversion.fraudFlags).toEqual([expect.objectContaining({ code: "non_human", evidence: expect.objectContaining({ signal: "bot_user_agent", ip: "86.140.3.8" }) })]);
  });

  it("a click from a blocked range is held, and neither the affiliate nor the merchant learn the visitor's IP", async () => {
    const program = await createProgram();
    const clickId = await clickElsewhere(program, { ip: "35.186.4.4", userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0" });
    const conversion = await convert(program, clickId);
    const [commission] = conversion.commissions;
    expect(conversion.fraudFlags[0]).toMatchObject({ code: "non_human", evidence: { signal: "blocked_ip", source: "click", ip: "35.186.4.4" } });
    expect(commission).toMatchObject({ status: "HELD", heldReason: "the click came from an IP address inside 35.184.0.0/13 (Google Cloud (us-central1)), a blocked data-centre range" });
    const [flagged] = await db.outboxEvent.findMany({ where: { merchantId: program.merchant.id, type: "fraud.flagged" } });
    expect(flagged!.payload).toMatchObject({ reason: commission!.heldReason, flags: [{ code: "non_human", explanation: commission!.heldReason }] });
    const log = await db.postbackLog.findFirstOrThrow({ where: { conversionId: conversion.id } });
    for (const text of [JSON.stringify(flagged!.payload), log.message]) expect(text).not.toContain("35.186.4.4");
  });

  it("a plain click from elsewhere passes; one never written is judged on the postback alone", async () => {
    const program = await createProgram();
    const plain = await convert(program, await clickElsewhere(program, { ip: "86.140.3.7", userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1" }));
    expect(plain).toMatchObject({ fraudDecision: "PASS", fraudFlags: [] });
    const unwritten = await postback(program, 20 * 60_000, { ip: "86.140.3.6" });
    expect(unwritten).toMatchObject({ fraudDecision: "PASS", fraudFlags: [] });
  });
});

describe("metrics", () => {
  const value = async (name: string, labels: Record<string, string> = {}) => {
    const metric = client.register.getSingleMetric(name);
    const values = (await metric!.get()).values;
    return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((sum, v) => sum + v.value, 0);
  };

  it("counts evaluations by decision, times them, and exposes the engine's state on /metrics", async () => {
    const program = await createProgram();
    const base = { merchantId: program.merchant.id, offerId: program.offer.id, affiliateId: program.affiliate.id, linkId: program.link.id, receivedAt: new Date(), customerId: null, ip: null, amountMinor: 100, currency: "EUR" };
    const held = await value("fraud_evaluations_total", { decision: "hold" });
    const timed = await value("fraud_evaluation_duration_seconds", { click_row: "no" });
    await evaluateConversion({ ...base, clickId: unique("click"), clickedAt: new Date(Date.now() - 1_000), txnId: unique("txn") }); // no click row: judged on what the candidate carries
    expect(await value("fraud_evaluations_total", { decision: "hold" })).toBe(held + 1);
    expect(await value("fraud_evaluation_duration_seconds", { click_row: "no" })).toBeGreaterThan(timed);

    fraudEngine().recordClick({ clickId: unique("bot"), affiliateId: program.affiliate.id, at: Date.now(), ip: "86.140.4.4", userAgent: "Googlebot/2.1", isBot: true, billable: false });
    expect(await value("fraud_remembered_clicks")).toBe(fraudEngine().traffic.stats().notableClicks);
    expect(await value("fraud_remembered_clicks")).toBeGreaterThan(0);
    const text = await client.register.metrics();
    for (const series of ["fraud_velocity_keys", 'fraud_evaluation_duration_seconds_bucket{le="0.001",click_row="no"}']) expect(text).toContain(series);
  });

  it("shows when a flood of distinct IPs fills the velocity counters (counting stops for new keys)", async () => {
    const dropped = () => value("fraud_counter_keys_dropped_total", { counter: "ip_velocity" });
    const before = await dropped();
    const at = Date.now();
    // One 10-s bucket holds 250,000 (affiliate, IP) keys: 251,000 distinct IPs at once overflow it by about 1,000
    // (keys are 30-bit hashes: a few dozen pairs share one, so a little less).
    for (let i = 0; i < 251_000; i++) fraudEngine().recordClick({ clickId: `flood-${i}`, affiliateId: "flooded", at, ip: `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, userAgent: "x", isBot: false, billable: true });
    expect(fraudEngine().traffic.stats().overflow.ip_velocity).toBeGreaterThanOrEqual(900);
    expect(await dropped()).toBe(fraudEngine().traffic.stats().overflow.ip_velocity);
    expect(await dropped()).toBeGreaterThanOrEqual(before + 900);
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
    expect((await evaluateConversion({ ...candidate, txnId: "again" })).decision).toBe("HOLD");
  });
});

describe("demo seed", () => {
  it("holds two of the affiliate's commissions through the postback path, each with its flag, and lists their own IP", async () => {
    const program = await createProgram();
    const ids = await seedDemoFraud({ affiliateEmail: program.affiliate.email });
    const conversions = await db.conversion.findMany({ where: { id: { in: ids } }, include: { commissions: true, fraudFlags: true }, orderBy: { txnId: "asc" } });
    expect(conversions.map((c) => [c.txnId, c.amountMinor, c.commissions[0]!.status, c.fraudFlags.map((f) => f.code)])).toEqual([
      ["DEMO-FRAUD-1", 12345, "HELD", ["fast_conversion"]],
      ["DEMO-FRAUD-2", 23456, "HELD", ["non_human"]],
    ]);
    expect(await db.affiliate.findUniqueOrThrow({ where: { id: program.affiliate.id } })).toMatchObject(DEMO_IDENTITIES);
  });
});
