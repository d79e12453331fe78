import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import type { FraudVerdict } from "../fraud";
import { clickIdFor, createAffiliate, createLink, createMerchant, createOffer, createProgram, unique } from "../testing/fixtures";
import { createClickIdCodec } from "../tracking/click-id";
import { DAY_MS } from "./attribution";
import { handlePostbackRequest } from "./http";
import { type PostbackClient, passAll, startPostbackServer } from "./testing";

let api: PostbackClient;
let verdict: FraudVerdict | null = null; // what the fraud seam answers in this file (null: pass)

beforeAll(async () => {
  api = await startPostbackServer({ evaluate: () => verdict ?? passAll() });
});
afterAll(() => api.close());

async function rowsFor(merchantId: string) {
  const conversions = await db.conversion.findMany({ where: { merchantId }, include: { commissions: true } });
  // Events of one statement share created_at; "conversion.*" before "commission.*" is the tie-break (type desc).
  const events = await db.outboxEvent.findMany({ where: { merchantId }, orderBy: [{ createdAt: "asc" }, { type: "desc" }] });
  const logs = await db.postbackLog.findMany({ where: { merchantId }, orderBy: { receivedAt: "asc" } });
  return { conversions, events, logs };
}

describe("postback: a new conversion", () => {
  it("records conversion, commission, outbox events and log in one go, from the signed click id alone", async () => {
    const { merchant, offer, affiliate, link } = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 1500, holdingPeriodDays: 14 } });
    const clickId = clickIdFor(link.id, new Date(Date.now() - 3_600_000)); // no click row exists
    const txn = unique("order");
    const before = Date.now();
    const res = await api.get({ token: merchant.postbackToken, click_id: clickId, txn_id: txn, amount: "49.90", currency: "EUR", sub1: "campaign-7", customer_id: "cust-1", ip: "203.0.113.9" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "created", conversion_id: expect.any(String), duplicate: false });

    const { conversions, events, logs } = await rowsFor(merchant.id);
    expect(conversions).toHaveLength(1);
    const [conversion] = conversions;
    expect(conversion).toMatchObject({ id: res.body.conversion_id, offerId: offer.id, affiliateId: affiliate.id, linkId: link.id, clickId, txnId: txn, amountMinor: 4990, currency: "EUR", status: "PENDING", sub1: "campaign-7", customerId: "cust-1", ip: "203.0.113.9" });
    expect(conversion!.touchPath).toEqual([{ clickId, affiliateId: affiliate.id, at: expect.any(String) }]);
    const [commission] = conversion!.commissions;
    expect(commission).toMatchObject({ kind: "COMMISSION", amountMinor: 748, currency: "EUR", status: "PENDING", calculation: "15% of 49.90 EUR = 7.48 EUR", fxRateId: null });
    const holdMs = commission!.holdUntil.getTime() - 14 * DAY_MS;
    expect(holdMs).toBeGreaterThanOrEqual(before - 1);
    expect(holdMs).toBeLessThanOrEqual(Date.now());

    expect(events.map((e) => e.type)).toEqual(["conversion.created", "commission.created"]);
    expect(events.every((e) => e.id.startsWith("evt_"))).toBe(true);
    expect(events[0]!.payload).toMatchObject({ conversion: { id: conversion!.id, txn_id: txn, amount_minor: 4990, amount: "49.90", currency: "EUR", affiliate_id: affiliate.id, status: "pending" } });
    expect(events[1]!.payload).toMatchObject({ commission: { id: commission!.id, conversion_id: conversion!.id, amount_minor: 748, amount: "7.48", status: "pending" } });

    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ outcome: "ACCEPTED", reasonCode: "created", httpStatus: 200, conversionId: conversion!.id, method: "GET" });
    expect(logs[0]!.params).not.toHaveProperty("token");
    expect(logs[0]!.params).toMatchObject({ txn_id: txn, amount: "49.90" });
  });

  it("takes POST as JSON (token in a header) or as a form (Bearer token)", async () => {
    const { merchant, link } = await createProgram();
    const json = await api.post(JSON.stringify({ click_id: clickIdFor(link.id), txn_id: unique("j"), amount: 12.5, currency: "eur" }), "application/json", { "x-postback-token": merchant.postbackToken });
    expect(json).toMatchObject({ status: 200, body: { status: "created" } });
    const form = new URLSearchParams({ click_id: clickIdFor(link.id), txn_id: unique("f"), amount: "3" }).toString();
    const posted = await api.post(form, "application/x-www-form-urlencoded", { authorization: `Bearer ${merchant.postbackToken}` });
    expect(posted).toMatchObject({ status: 200, body: { status: "created" } });
    const amounts = (await db.conversion.findMany({ where: { merchantId: merchant.id }, orderBy: { createdAt: "asc" } })).map((c) => c.amountMinor);
    expect(amounts).toEqual([1250, 300]);
  });

  it("pays the volume tier the affiliate reached this month, counted in the database", async () => {
    const { merchant, link } = await createProgram({ offer: { payoutModel: "CPA", cpaAmountMinor: 500, tiers: [{ minConversions: 3, cpaAmountMinor: 800 }] } });
    const paid: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("t") });
      const commission = await db.commission.findFirstOrThrow({ where: { conversionId: res.body.conversion_id } });
      paid.push(commission.amountMinor);
    }
    expect(paid).toEqual([500, 500, 800, 800]);
  });

  it("converts a sale in another currency with the latest stored rate on or before the day, either direction, exactly", async () => {
    // A day of its own (far ahead) so no other test's rates are "the latest" for these pairs.
    const now = new Date("2031-03-14T10:00:00.000Z");
    const day = (offset: number) => new Date(Date.UTC(2031, 2, 14 + offset));
    const fixed = await startPostbackServer({ now: () => now, evaluate: api.deps.evaluate });
    try {
      const [gbp, usd] = await Promise.all([
        db.fxRate.create({ data: { base: "GBP", quote: "EUR", rate: "1.1500", asOf: day(-1) } }),
        db.fxRate.create({ data: { base: "USD", quote: "JPY", rate: "150.25", asOf: day(-2) } }), // used inverted
        db.fxRate.create({ data: { base: "GBP", quote: "EUR", rate: "9.9999", asOf: day(+1) } }), // tomorrow's: never used today
        db.fxRate.create({ data: { base: "SEK", quote: "EUR", rate: "0.0870", asOf: day(-7) } }), // 7 days: still fresh
        db.fxRate.create({ data: { base: "CHF", quote: "EUR", rate: "1.0500", asOf: day(-8) } }), // 8 days: stale
      ]);
      const eur = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 1000, currency: "EUR" } });
      const usdOffer = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 1000, currency: "USD" } });
      const sell = async (program: typeof eur, amount: string, currency: string) => {
        const res = await fixed.get({ token: program.merchant.postbackToken, click_id: clickIdFor(program.link.id, now), txn_id: unique("fx"), amount, currency });
        const commission = res.status === 200 ? await db.commission.findFirstOrThrow({ where: { conversionId: res.body.conversion_id } }) : null;
        return { res, commission };
      };

      // 200.00 GBP × 1.15 = 230.00 EUR; 10% = 23.00 EUR.
      expect((await sell(eur, "200.00", "GBP")).commission).toMatchObject({
        amountMinor: 2300,
        currency: "EUR",
        fxRateId: gbp.id,
        calculation: "10% of 200.00 GBP → 230.00 EUR at 1 GBP = 1.15 EUR (rate of 2031-03-13) = 23.00 EUR",
      });
      // 49.90 GBP → 57.385 EUR; 10% = 5.7385 → 5.74 (rounded once, at the end).
      expect((await sell(eur, "49.90", "GBP")).commission).toMatchObject({ amountMinor: 574, fxRateId: gbp.id });
      // Stored as 1 USD = 150.25 JPY, used as 1 JPY = 1/150.25 USD: 5000 JPY = 33.2779… USD; 10% = 3.3278 → 3.33.
      expect((await sell(usdOffer, "5000", "JPY")).commission).toMatchObject({
        amountMinor: 333,
        currency: "USD",
        fxRateId: usd.id,
        calculation: "10% of 5000 JPY → 33.28 USD at 1 JPY = 1/150.25 USD (rate of 2031-03-12) = 3.33 USD",
      });
      // 1000.00 SEK × 0.087 = 87.00 EUR; 10% = 8.70: a rate exactly 7 days old is still used.
      expect((await sell(eur, "1000.00", "SEK")).commission).toMatchObject({ amountMinor: 870 });

      const stale = await sell(eur, "100.00", "CHF");
      expect(stale.res).toMatchObject({ status: 422, body: { error: { code: "fx_rate_stale", message: expect.stringContaining("from 2031-03-06, 8 days before the sale") } } });
      const missing = await sell(eur, "1.000", "KWD");
      expect(missing.res).toMatchObject({ status: 422, body: { error: { code: "fx_rate_missing" } } });
      expect(await db.conversion.count({ where: { merchantId: eur.merchant.id } })).toBe(3);
    } finally {
      await fixed.close();
    }
  });
});

describe("postback: touch paths", () => {
  it("stores the verified touches before the paid click and leaves out, with the reason logged, the ones that fail", async () => {
    const { merchant, offer, affiliate, link } = await createProgram({ offer: { attributionWindowDays: 30 } });
    const [b, c] = await Promise.all([createAffiliate(), createAffiliate()]);
    const [bLink, cLink, foreign] = await Promise.all([
      createLink({ affiliateId: b.id, offerId: offer.id }),
      createLink({ affiliateId: c.id, offerId: (await createOffer({ merchantId: merchant.id })).id }), // another offer of the merchant
      createLink(),
    ]);
    const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
    const [bAt, cAt] = [ago(5), ago(2)];
    const bClick = clickIdFor(bLink.id, bAt);
    const cClick = clickIdFor(cLink.id, cAt);
    const forged = createClickIdCodec("someone-elses-secret-0123456789abcdef").sign(bLink.id);
    const foreignClick = clickIdFor(foreign.id, ago(1));
    const oldClick = clickIdFor(cLink.id, ago(31));
    const paid = clickIdFor(link.id, ago(1));
    const res = await api.get({
      token: merchant.postbackToken,
      click_id: paid,
      txn_id: unique("path"),
      touches: [oldClick, bClick, forged, foreignClick, cClick].join(","),
    });
    expect(res).toMatchObject({ status: 200, body: { status: "created" } });

    const conversion = await db.conversion.findUniqueOrThrow({ where: { id: res.body.conversion_id }, include: { commissions: true } });
    expect(conversion.touchPath).toEqual([
      { clickId: bClick, affiliateId: b.id, at: bAt.toISOString() },
      { clickId: cClick, affiliateId: c.id, at: cAt.toISOString() },
      { clickId: paid, affiliateId: affiliate.id, at: expect.any(String) },
    ]);
    // Payment is last click, whatever the touches say.
    expect(conversion).toMatchObject({ affiliateId: affiliate.id, clickId: paid });
    expect(conversion.commissions[0]).toMatchObject({ affiliateId: affiliate.id, amountMinor: 1000 });
    const log = await db.postbackLog.findFirstOrThrow({ where: { conversionId: conversion.id } });
    expect(log.message).toContain(`Touches left out of the path: ${oldClick} (it is older than its offer's 30-day attribution window); ${forged} (its signature does not match); ${foreignClick} (it is a click on another merchant's offer).`);
  });

  it("refuses a malformed touches list with invalid_params and records nothing", async () => {
    const { merchant, link } = await createProgram();
    const send = (touches: string) => api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("tl"), touches });
    const good = clickIdFor(link.id);
    for (const [touches, message] of [
      [`${good},,${good}`, "touches.1: each entry must be a click id we issued (30 characters), separated by commas"],
      [`${good};${good}`, "touches.0: each entry must be a click id we issued"],
      [Array.from({ length: 21 }, () => good).join(","), "touches: at most 20 click ids"],
    ] as const) {
      const res = await send(touches);
      expect(res, touches).toMatchObject({ status: 400, body: { error: { code: "invalid_params", message: expect.stringContaining(message) } } });
    }
    expect(await db.conversion.count({ where: { merchantId: merchant.id } })).toBe(0);
    expect(await db.postbackLog.count({ where: { merchantId: merchant.id, reasonCode: "invalid_params" } })).toBe(3);
  });
});

describe("postback: Next's route handler", () => {
  it("runs the same core for app/api/postback (next dev)", async () => {
    const { merchant, link } = await createProgram();
    const deps = { ...api.deps };
    const url = `http://localhost/api/postback?${new URLSearchParams({ click_id: clickIdFor(link.id), txn_id: unique("next"), amount: "5" })}`;
    const created = await handlePostbackRequest(new Request(url, { headers: { "x-postback-token": merchant.postbackToken } }), deps);
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ status: "created", duplicate: false });
    const refused = await handlePostbackRequest(new Request(url, { method: "POST", body: "x".repeat(20_000), headers: { "content-type": "application/json" } }), deps);
    expect(refused.status).toBe(413);
    expect(await refused.json()).toEqual({ error: { code: "payload_too_large", message: expect.any(String) } });
  });
});

describe("postback: idempotency", () => {
  it("answers a retry with the original conversion id and changes nothing", async () => {
    const { merchant, link } = await createProgram();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("r"), amount: "10.00" };
    const first = await api.get(params);
    const retry = await api.get({ ...params, amount: "99.00" });
    expect(retry).toMatchObject({ status: 200, body: { status: "duplicate", conversion_id: first.body.conversion_id, duplicate: true } });
    const { conversions, events, logs } = await rowsFor(merchant.id);
    expect(conversions).toHaveLength(1);
    expect(conversions[0]!.amountMinor).toBe(1000);
    expect(events).toHaveLength(2);
    expect(logs.map((l) => l.outcome)).toEqual(["ACCEPTED", "DUPLICATE"]);
  });

  it("makes exactly one conversion of 50 identical postbacks in parallel", async () => {
    const { merchant, link } = await createProgram();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("p"), amount: "25.00" };
    const answers = await Promise.all(Array.from({ length: 50 }, () => api.get(params)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const ids = new Set(answers.map((a) => a.body.conversion_id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    const { conversions, events, logs } = await rowsFor(merchant.id);
    expect(conversions).toHaveLength(1);
    expect(conversions[0]!.commissions).toHaveLength(1);
    expect(events).toHaveLength(2);
    expect(logs).toHaveLength(50);
  });
});

describe("postback: rejections", () => {
  async function expectRejected(merchantId: string | null, res: { status: number; body: any }, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
    if (merchantId) {
      const { conversions, events, logs } = await rowsFor(merchantId);
      expect(conversions).toHaveLength(0);
      expect(events).toHaveLength(0);
      expect(logs.at(-1)).toMatchObject({ outcome: "REJECTED", reasonCode: code, httpStatus: status, conversionId: null });
    }
  }

  it("refuses a missing or wrong token with 401, and logs it without the token", async () => {
    const { link } = await createProgram();
    const txn = unique("tok");
    await expectRejected(null, await api.get({ click_id: clickIdFor(link.id), txn_id: txn }), 401, "missing_token");
    await expectRejected(null, await api.get({ token: "pbt_wrong", click_id: clickIdFor(link.id), txn_id: txn }), 401, "wrong_token");
    const logged = await db.postbackLog.findMany({ where: { params: { path: ["txn_id"], equals: txn } } });
    expect(logged.map((l) => l.reasonCode).sort()).toEqual(["missing_token", "wrong_token"]);
    expect(logged.every((l) => l.merchantId === null && !("token" in (l.params as object)))).toBe(true);
    expect(JSON.stringify(logged)).not.toContain("pbt_wrong");
  });

  it("refuses forged and altered click ids, and clicks of another merchant's offer", async () => {
    const { merchant, link } = await createProgram();
    const genuine = clickIdFor(link.id);
    const altered = genuine.slice(0, 5) + (genuine[5] === "A" ? "B" : "A") + genuine.slice(6);
    const forged = createClickIdCodec("someone-elses-secret-0123456789abcdef").sign(link.id);
    const send = (click_id: string) => api.get({ token: merchant.postbackToken, click_id, txn_id: unique("x"), amount: "1" });
    await expectRejected(merchant.id, await send(altered), 400, "forged_click");
    await expectRejected(merchant.id, await send(forged), 400, "forged_click");
    await expectRejected(merchant.id, await send("not-a-click-id"), 400, "forged_click");
    const other = await createLink();
    await expectRejected(merchant.id, await send(clickIdFor(other.id)), 403, "click_not_for_merchant");
    await expectRejected(merchant.id, await send(clickIdFor(2_000_000_000)), 404, "unknown_click");
  });

  it("draws the attribution window edge exactly: N days is in, 1 ms more is out", async () => {
    const { merchant, link } = await createProgram({ offer: { attributionWindowDays: 7 } });
    const now = new Date("2026-11-21T12:00:00.000Z");
    const fixed = await startPostbackServer({ now: () => now, evaluate: api.deps.evaluate });
    try {
      const atEdge = new Date(now.getTime() - 7 * DAY_MS);
      const past = new Date(atEdge.getTime() - 1);
      const inside = await fixed.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id, atEdge), txn_id: unique("w") });
      expect(inside).toMatchObject({ status: 200, body: { status: "created" } });
      const outside = await fixed.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id, past), txn_id: unique("w") });
      expect(outside).toMatchObject({ status: 422, body: { error: { code: "outside_attribution_window" } } });
      expect(await db.conversion.count({ where: { merchantId: merchant.id } })).toBe(1);
    } finally {
      await fixed.close();
    }
  });

  it("refuses bad amounts, unknown currencies and malformed parameters with their codes", async () => {
    const { merchant, link } = await createProgram({ offer: { payoutModel: "REVSHARE" } });
    const send = (extra: Record<string, string>) => api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("b"), ...extra });
    await expectRejected(merchant.id, await send({ amount: "49.901", currency: "EUR" }), 400, "bad_amount");
    await expectRejected(merchant.id, await send({ amount: "-5", currency: "EUR" }), 400, "bad_amount");
    await expectRejected(merchant.id, await send({ amount: "1e3" }), 400, "bad_amount");
    await expectRejected(merchant.id, await send({}), 400, "bad_amount"); // a revenue share needs the amount
    await expectRejected(merchant.id, await send({ amount: "10", currency: "XBT" }), 400, "unknown_currency");
    await expectRejected(merchant.id, await send({ amount: "10", currency: "EURO" }), 400, "invalid_params");
    await expectRejected(merchant.id, await send({ amount: "10", status: "paid" }), 400, "invalid_params");
    await expectRejected(merchant.id, await send({ amount: "10", ip: "999.1.1.1" }), 400, "invalid_params");
    await expectRejected(merchant.id, await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: "{txn_id}" }), 400, "invalid_params");
    await expectRejected(merchant.id, await api.get({ token: merchant.postbackToken, txn_id: unique("n"), amount: "1" }), 400, "missing_click_id");
    const message = (await send({ amount: "10", currency: "EURO" })).body.error.message;
    expect(message).toContain("currency: a 3-letter ISO 4217 code");
  });
});

describe("postback: customers stick to their first winner", () => {
  it("credits a returning customer's later conversions to the affiliate who won them, keeping every touch", async () => {
    const { merchant, offer, affiliate: first, link: firstLink } = await createProgram({ offer: { payoutModel: "CPA", cpaAmountMinor: 700 } });
    const second = await createAffiliate();
    const secondLink = await createLink({ affiliateId: second.id, offerId: offer.id });
    const customer = unique("cust");
    const firstClick = clickIdFor(firstLink.id, new Date(Date.now() - 2 * DAY_MS));
    const a = await api.get({ token: merchant.postbackToken, click_id: firstClick, txn_id: unique("c"), customer_id: customer });
    const secondClick = clickIdFor(secondLink.id);
    const b = await api.get({ token: merchant.postbackToken, click_id: secondClick, txn_id: unique("c"), customer_id: customer });
    const renewal = await api.get({ token: merchant.postbackToken, txn_id: unique("c"), customer_id: customer });
    for (const res of [a, b, renewal]) expect(res.status).toBe(200);

    const later = await db.conversion.findUniqueOrThrow({ where: { id: b.body.conversion_id }, include: { commissions: true } });
    expect(later).toMatchObject({ affiliateId: first.id, linkId: firstLink.id, clickId: firstClick });
    expect(later.touchPath).toEqual([
      { clickId: firstClick, affiliateId: first.id, at: expect.any(String) },
      { clickId: secondClick, affiliateId: second.id, at: expect.any(String) },
    ]);
    expect(later.commissions[0]).toMatchObject({ affiliateId: first.id, amountMinor: 700 });
    const renewed = await db.conversion.findUniqueOrThrow({ where: { id: renewal.body.conversion_id } });
    expect(renewed).toMatchObject({ affiliateId: first.id, linkId: firstLink.id });
    expect(await db.customerAttribution.findUnique({ where: { merchantId_customerId: { merchantId: merchant.id, customerId: customer } } })).toMatchObject({ affiliateId: first.id, firstConversionId: a.body.conversion_id });
  });
});

describe("postback: lifecycle", () => {
  it("approves on status=approved, and refuses to approve a refunded sale", async () => {
    const { merchant, link } = await createProgram();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("a") };
    const created = await api.get(params);
    const approved = await api.get({ ...params, status: "approved" });
    expect(approved).toMatchObject({ status: 200, body: { status: "approved", conversion_id: created.body.conversion_id, duplicate: false } });
    const again = await api.get({ ...params, status: "approved" });
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate" } });
    const conversion = await db.conversion.findUniqueOrThrow({ where: { id: created.body.conversion_id }, include: { commissions: true } });
    expect(conversion.status).toBe("APPROVED");
    expect(conversion.commissions[0]).toMatchObject({ status: "APPROVED", approvedAt: expect.any(Date) });

    await api.get({ ...params, status: "refunded" });
    const late = await api.get({ ...params, status: "approved" });
    expect(late).toMatchObject({ status: 409, body: { error: { code: "conversion_refunded" } } });
  });

  it("creates an approved conversion directly from status=approved", async () => {
    const { merchant, link } = await createProgram();
    const res = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("d"), status: "approved" });
    const conversion = await db.conversion.findUniqueOrThrow({ where: { id: res.body.conversion_id }, include: { commissions: true } });
    expect(conversion.status).toBe("APPROVED");
    expect(conversion.commissions[0]!.status).toBe("APPROVED");
  });

  it("reverses an unpaid commission on refund; a second refund is a duplicate", async () => {
    const { merchant, link } = await createProgram();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("rf") };
    const created = await api.get(params);
    const refunded = await api.get({ ...params, status: "refunded" });
    expect(refunded).toMatchObject({ status: 200, body: { status: "refunded", conversion_id: created.body.conversion_id, duplicate: false } });
    const again = await api.get({ ...params, status: "refunded" });
    expect(again).toMatchObject({ status: 200, body: { status: "duplicate", duplicate: true } });

    const { conversions, events } = await rowsFor(merchant.id);
    expect(conversions[0]).toMatchObject({ status: "REFUNDED" });
    expect(conversions[0]!.commissions).toEqual([expect.objectContaining({ kind: "COMMISSION", status: "REVERSED", reversedAt: expect.any(Date) })]);
    expect(events.map((e) => e.type)).toEqual(["conversion.created", "commission.created", "conversion.reversed", "commission.reversed"]);
    expect(events[3]!.payload).toMatchObject({ commission: { status: "reversed", amount_minor: 1000 } });
  });

  it("claws back a paid commission with a negative approved adjustment for the next payout", async () => {
    const { merchant, link } = await createProgram();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("pd") };
    const created = await api.get(params);
    await db.commission.updateMany({ where: { conversionId: created.body.conversion_id }, data: { status: "PAID", paidAt: new Date() } });
    const refunded = await api.get({ ...params, status: "refunded" });
    expect(refunded).toMatchObject({ status: 200, body: { status: "refunded" } });
    const commissions = await db.commission.findMany({ where: { conversionId: created.body.conversion_id }, orderBy: { kind: "asc" } });
    expect(commissions).toEqual([
      expect.objectContaining({ kind: "COMMISSION", status: "PAID", amountMinor: 1000 }),
      expect.objectContaining({ kind: "ADJUSTMENT", status: "APPROVED", amountMinor: -1000, currency: "EUR", approvedAt: expect.any(Date) }),
    ]);
    expect(commissions[1]!.calculation).toContain("claw-back");
    const reversed = await db.outboxEvent.findFirstOrThrow({ where: { merchantId: merchant.id, type: "commission.reversed" } });
    expect(reversed.payload).toMatchObject({ commission: { status: "paid" }, adjustment: { kind: "adjustment", amount_minor: -1000 } });
    // A repeat of the refund changes nothing: still one adjustment.
    await api.get({ ...params, status: "refunded" });
    expect(await db.commission.count({ where: { conversionId: created.body.conversion_id } })).toBe(2);
  });

  it("refuses a refund of an unknown transaction", async () => {
    const merchant = await createMerchant();
    const res = await api.get({ token: merchant.postbackToken, txn_id: unique("u"), status: "refunded" });
    expect(res).toMatchObject({ status: 404, body: { error: { code: "unknown_transaction" } } });
  });
});

describe("postback: fraud seam", () => {
  it("writes a held commission with its reason, its flags and a fraud.flagged event in the same transaction", async () => {
    const { merchant, link } = await createProgram();
    verdict = { score: 90, decision: "HOLD", reason: "click-to-conversion time under 10 s", flags: [{ code: "ctit_short", severity: 60, explanation: "converted 2 s after the click", evidence: { seconds: 2 } }] };
    try {
      const res = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("h") });
      expect(res.status).toBe(200);
      const conversion = await db.conversion.findUniqueOrThrow({ where: { id: res.body.conversion_id }, include: { commissions: true, fraudFlags: true } });
      expect(conversion).toMatchObject({ fraudScore: 90, fraudDecision: "HOLD" });
      expect(conversion.commissions[0]).toMatchObject({ status: "HELD", heldReason: "click-to-conversion time under 10 s" });
      expect(conversion.fraudFlags).toEqual([expect.objectContaining({ code: "ctit_short", severity: 60, evidence: { seconds: 2 }, commissionId: conversion.commissions[0]!.id, status: "OPEN" })]);
      const flagged = await db.outboxEvent.findFirstOrThrow({ where: { merchantId: merchant.id, type: "fraud.flagged" } });
      expect(flagged.payload).toMatchObject({ conversion_id: conversion.id, decision: "hold", flags: [{ code: "ctit_short" }] });

      verdict = { ...verdict, score: 50, decision: "REVIEW" };
      const review = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("h") });
      const reviewed = await db.conversion.findUniqueOrThrow({ where: { id: review.body.conversion_id }, include: { commissions: true, fraudFlags: true } });
      expect(reviewed.commissions[0]!.status).toBe("PENDING");
      expect(reviewed.fraudFlags).toHaveLength(1);
      expect(await db.outboxEvent.count({ where: { merchantId: merchant.id, type: "fraud.flagged" } })).toBe(1);
    } finally {
      verdict = null;
    }
  });
});

describe("postback: test mode", () => {
  it("validates and prices a test postback without recording a conversion", async () => {
    const { merchant, link } = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 2000 } });
    const res = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("test"), amount: "10.00", test: "1" });
    expect(res).toMatchObject({ status: 200, body: { status: "test", conversion_id: null, commission: { amount_minor: 200, currency: "EUR" } } });
    const { conversions, events, logs } = await rowsFor(merchant.id);
    expect(conversions).toHaveLength(0);
    expect(events).toHaveLength(0);
    expect(logs).toEqual([expect.objectContaining({ outcome: "ACCEPTED", reasonCode: "test" })]);
  });
});
