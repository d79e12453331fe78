// The postbacks and conversions routers through tRPC, as each role: set-up, test postback, logs, filters, approval,
// and that every list is scoped to the caller.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { callerFor, clickIdFor, createManager, createProgram, unique } from "../testing/fixtures";
import { hashPostbackToken } from "../merchants/postback-token";
import { type PostbackClient, startPostbackServer } from "./testing";

let api: PostbackClient;
beforeAll(async () => {
  api = await startPostbackServer();
});
afterAll(() => api.close());

describe("merchant postback set-up", () => {
  it("gives the URL template with every macro and the token prefix", async () => {
    const { merchant, merchantUser } = await createProgram();
    const setup = await callerFor(merchantUser).postbacks.setup();
    expect(setup.tokenPrefix).toBe(merchant.postbackToken.slice(0, 6));
    for (const macro of ["{click_id}", "{order_id}", "{amount}", "{currency}", "{status}", "{event}", "{customer_id}", "{customer_ip}", "{touches}", "{sub1}", "{sub5}"]) {
      expect(setup.template).toContain(macro);
    }
    expect(setup.template).toMatch(/\/api\/postback\?token=YOUR_TOKEN&click_id=\{click_id\}&txn_id=\{order_id\}/);
    expect(setup.reasons.map((r) => r.code)).toContain("outside_attribution_window");
  });

  it("sends a test postback through the real core without recording a conversion", async () => {
    const { merchant, merchantUser } = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 1000 } });
    const result = await callerFor(merchantUser).postbacks.sendTest({ amount: "20.00" });
    expect(result).toMatchObject({ ok: true, httpStatus: 200, body: { status: "test", conversion_id: null, commission: { amount_minor: 200, currency: "EUR" } } });
    expect(await db.conversion.count({ where: { merchantId: merchant.id } })).toBe(0);
    expect(await db.outboxEvent.count({ where: { merchantId: merchant.id } })).toBe(0);
    const log = await callerFor(merchantUser).postbacks.log({});
    expect(log.rows).toEqual([expect.objectContaining({ outcome: "ACCEPTED", reasonCode: "test", method: "TEST" })]);

    const refused = await callerFor(merchantUser).postbacks.sendTest({ amount: "1.00", currency: "XYZ" });
    expect(refused).toMatchObject({ ok: true, httpStatus: 400, body: { error: { code: "unknown_currency" } } });
  });

  it("rotates the token: the new one works at once, the old one is refused", async () => {
    const { merchant, merchantUser, link } = await createProgram();
    const { token, prefix } = await callerFor(merchantUser).postbacks.rotateToken();
    expect(token.startsWith(prefix)).toBe(true);
    expect((await db.merchant.findUniqueOrThrow({ where: { id: merchant.id } })).postbackTokenHash).toBe(hashPostbackToken(token));
    const old = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("rot") });
    expect(old.body.error.code).toBe("wrong_token");
    expect((await api.get({ token, click_id: clickIdFor(link.id), txn_id: unique("rot") })).status).toBe(200);
  });
});

describe("postback log", () => {
  it("shows a merchant only their own postbacks, filterable, with reasons; managers see every merchant", async () => {
    const a = await createProgram();
    const b = await createProgram();
    const txn = unique("log");
    await api.get({ token: a.merchant.postbackToken, click_id: clickIdFor(a.link.id), txn_id: txn });
    await api.get({ token: a.merchant.postbackToken, click_id: clickIdFor(b.link.id), txn_id: unique("log") });
    await api.get({ token: b.merchant.postbackToken, click_id: clickIdFor(b.link.id), txn_id: unique("log") });

    const mine = await callerFor(a.merchantUser).postbacks.log({});
    expect(mine.rows.map((r) => r.reasonCode).sort()).toEqual(["click_not_for_merchant", "created"]);
    const rejected = await callerFor(a.merchantUser).postbacks.log({ outcome: "REJECTED" });
    expect(rejected.rows).toEqual([expect.objectContaining({ reasonCode: "click_not_for_merchant", httpStatus: 403 })]);
    expect((await callerFor(a.merchantUser).postbacks.log({ txnId: txn })).rows).toHaveLength(1);
    const page = await callerFor(a.merchantUser).postbacks.log({ limit: 1 });
    expect(page.rows).toHaveLength(1);
    const next = await callerFor(a.merchantUser).postbacks.log({ limit: 1, cursor: page.nextCursor! });
    expect(next.rows[0]!.id).not.toBe(page.rows[0]!.id);
    expect(next.nextCursor).toBeNull();

    const manager = await createManager();
    const program = await callerFor(manager).postbacks.programLog({ merchantId: b.merchant.id });
    expect(program.rows).toHaveLength(1);
    await expect(callerFor(a.affiliate.user).postbacks.log({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(a.merchantUser).postbacks.programLog({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("conversions and commissions", () => {
  it("lets a manager filter and approve (with the held reason's detail), and an affiliate read their own as under review", async () => {
    const { merchant, affiliate, link } = await createProgram();
    const other = await createProgram();
    const sent = [];
    // What the merchant knows of its customer: never shown to the affiliate.
    const merchantSide = { txn_ids: [unique("ORDER"), unique("ORDER")], customer_id: unique("CUSTOMER"), ip: "203.0.113.77" };
    for (const txn_id of merchantSide.txn_ids) {
      sent.push(await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id, customer_id: merchantSide.customer_id, ip: merchantSide.ip }));
    }
    await api.get({ token: other.merchant.postbackToken, click_id: clickIdFor(other.link.id), txn_id: unique("c") });
    const [first, second] = await Promise.all(sent.map((s) => db.commission.findFirstOrThrow({ where: { conversionId: s.body.conversion_id } })));
    await db.commission.update({ where: { id: second!.id }, data: { status: "HELD", heldReason: "velocity: 40 clicks from one IP in 1 min" } });
    await db.fraudFlag.create({ data: { code: "click_velocity", severity: 60, explanation: "40 clicks from one IP in 1 min", affiliateId: affiliate.id, commissionId: second!.id } });

    const manager = callerFor(await createManager());
    const list = await manager.conversions.list({ merchantId: merchant.id });
    expect(list.rows).toHaveLength(2);
    expect(list.rows[0]!.commissions[0]).toHaveProperty("calculation");
    expect(list.rows.flatMap((r) => r.commissions).find((c) => c.status === "HELD")!.heldReason).toBe("velocity: 40 clicks from one IP in 1 min");
    expect((await manager.conversions.list({ merchantId: merchant.id, commissionStatus: "HELD" })).rows).toHaveLength(1);
    expect((await manager.conversions.commissions({ affiliateId: affiliate.id, status: "PENDING" })).rows.map((r) => r.id)).toEqual([first!.id]);

    const outcome = await manager.conversions.approve({ commissionIds: [first!.id, second!.id] });
    expect(outcome).toEqual({ approved: [first!.id], skipped: [{ id: second!.id, status: "HELD" }] });
    await expect(manager.conversions.approve({ commissionIds: [] })).rejects.toMatchObject({ code: "BAD_REQUEST" });

    const mine = await callerFor(affiliate.user).conversions.mine({});
    expect(mine.rows.map((r) => r.status).sort()).toEqual(["APPROVED", "HELD"]);
    expect(mine.rows.find((r) => r.status === "HELD")!.heldReason).toBe("under review (traffic quality)");
    const shown = JSON.stringify(mine);
    for (const secret of [...merchantSide.txn_ids, merchantSide.customer_id, merchantSide.ip, "40 clicks", "click_velocity"]) expect(shown).not.toContain(secret);
    const theirs = await callerFor(other.affiliate.user).conversions.mine({});
    expect(theirs.rows).toHaveLength(1);
    await expect(callerFor(affiliate.user).conversions.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
