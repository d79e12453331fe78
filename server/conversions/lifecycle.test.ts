// A sale's whole life through the real paths: postback → approved → paid in a payout run → refunded by postback →
// a negative adjustment netted by the next run; and a refund of a commission fraud checks hold. Runs are limited
// to this file's affiliates (other files create approved commissions in the same database at the same time).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import type { FraudVerdict } from "../fraud";
import { getPool } from "../db";
import { PayoutRunError, approveBatch, createPayoutRun, markBatchSent, settlePayouts } from "../payouts/runs";
import { payRun as payAll } from "../payouts/testing";
import { callerFor, clickIdFor, createManager, createProgram, unique } from "../testing/fixtures";
import { approveCommissions } from "./approval";
import { commissionStatusLabel } from "./labels";
import { type PostbackClient, passAll, startPostbackServer } from "./testing";

let api: PostbackClient;
let verdict: FraudVerdict | null = null;
let manager: Awaited<ReturnType<typeof createManager>>;

beforeAll(async () => {
  api = await startPostbackServer({ evaluate: () => verdict ?? passAll() });
  manager = await createManager();
});
afterAll(() => api.close());

const payRun = (affiliateId: string) => payAll(manager.id, [affiliateId]);

describe("lifecycle", () => {
  it("pays a sale, claws it back after a refund, and nets the claw-back in the next run", async () => {
    const { merchant, affiliate, link } = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 1500 } });
    const sale = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("life"), amount: "100.00" };
    const created = await api.get(sale);
    const first = await db.commission.findFirstOrThrow({ where: { conversionId: created.body.conversion_id } });
    expect(first).toMatchObject({ status: "PENDING", amountMinor: 1500 });

    expect(await approveCommissions(db, [first.id], manager.id)).toMatchObject({ approved: [first.id] });
    const run1 = await payRun(affiliate.id);
    expect(run1.totals).toEqual([{ currency: "EUR", amountMinor: 1500n }]);
    expect(await db.commission.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ status: "PAID", paidAt: expect.any(Date) });

    const refund = await api.get({ ...sale, status: "refunded" });
    expect(refund).toMatchObject({ status: 200, body: { status: "refunded", message: expect.stringContaining("-15.00 EUR adjustment goes to the affiliate's next payout") } });
    const adjustment = await db.commission.findFirstOrThrow({ where: { conversionId: created.body.conversion_id, kind: "ADJUSTMENT" } });
    expect(adjustment).toMatchObject({ amountMinor: -1500, currency: "EUR", status: "APPROVED", payoutId: null });

    // Nothing but the claw-back to pay: no run, the claw-back waits.
    await expect(createPayoutRun(getPool(), { actorId: manager.id, affiliateIds: [affiliate.id] })).rejects.toBeInstanceOf(PayoutRunError);

    // The affiliate sees the paid commission and the claw-back against it.
    const mine = await callerFor(affiliate.user).conversions.mine({});
    expect(mine.rows.map((r) => [r.kind, r.amountMinor, commissionStatusLabel(r)]).sort()).toEqual([
      ["ADJUSTMENT", -1500, "adjustment · approved"],
      ["COMMISSION", 1500, "paid"],
    ]);

    const next = await api.get({ ...sale, txn_id: unique("life"), amount: "250.00", status: "approved" });
    expect(next.status).toBe(200);
    const run2 = await payRun(affiliate.id);
    expect(run2.totals).toEqual([{ currency: "EUR", amountMinor: 3750n - 1500n }]);
    expect(await db.commission.findUniqueOrThrow({ where: { id: adjustment.id } })).toMatchObject({ status: "PAID" });
    const payouts = await db.payout.findMany({ where: { affiliateId: affiliate.id }, orderBy: { createdAt: "asc" } });
    expect(payouts.map((p) => p.amountMinor)).toEqual([1500n, 2250n]);
    const events = await db.outboxEvent.findMany({ where: { merchantId: merchant.id, type: "commission.reversed" } });
    expect(events).toEqual([expect.objectContaining({ payload: expect.objectContaining({ commission: expect.objectContaining({ status: "paid" }), adjustment: expect.objectContaining({ amount_minor: -1500 }) }) })]);
  });

  it("refunds a commission that fraud checks hold: reversed, its flags closed, no claw-back, the affiliate and webhooks told", async () => {
    const { merchant, affiliate, link } = await createProgram();
    const sale = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("held") };
    verdict = { score: 80, decision: "HOLD", reason: "converted 2 s after the click", flags: [{ code: "fast_conversion", severity: 60, explanation: "2 s", evidence: {} }] };
    let created;
    try {
      created = await api.get(sale);
    } finally {
      verdict = null;
    }
    const commission = await db.commission.findFirstOrThrow({ where: { conversionId: created.body.conversion_id } });
    expect(commission).toMatchObject({ status: "HELD", heldReason: "converted 2 s after the click" });

    const refund = await api.get({ ...sale, status: "refunded" });
    expect(refund).toMatchObject({ status: 200, body: { status: "refunded", message: "Refunded: the conversion and its commission are reversed." } });
    const rows = await db.commission.findMany({ where: { conversionId: created.body.conversion_id } });
    expect(rows).toEqual([expect.objectContaining({ kind: "COMMISSION", status: "REVERSED", reversedAt: expect.any(Date) })]);
    expect(await db.fraudFlag.findMany({ where: { conversionId: created.body.conversion_id }, select: { status: true } })).toEqual([{ status: "REVERSED" }]);

    const events = await db.outboxEvent.findMany({ where: { merchantId: merchant.id }, orderBy: [{ createdAt: "asc" }, { type: "desc" }] });
    // Each statement's events share a timestamp (type descending breaks the tie): the sale's three, then the refund's two.
    expect(events.map((e) => e.type)).toEqual(["fraud.flagged", "conversion.created", "commission.created", "conversion.reversed", "commission.reversed"]);
    expect(events.find((e) => e.type === "commission.reversed")!.payload).toMatchObject({ commission: { id: commission.id, status: "reversed", amount_minor: 1000 } });

    const mine = await callerFor(affiliate.user).conversions.mine({});
    expect(mine.rows).toHaveLength(1);
    expect(commissionStatusLabel(mine.rows[0]!)).toBe("reversed: the sale was refunded");
    expect(mine.rows[0]!.conversion.status).toBe("REFUNDED");
    // Nothing left for fraud review to decide about this sale.
    const queue = await callerFor(manager).fraud.queue();
    expect(JSON.stringify(queue)).not.toContain(commission.id);
  });

  it("keeps a sale under fraud review unpayable even when the postback says approved, until a manager releases it", async () => {
    const { merchant, affiliate, link } = await createProgram();
    const sale = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("review"), status: "approved" };
    verdict = { score: 40, decision: "REVIEW", reason: "many sales from one IP", flags: [{ code: "ip_velocity", severity: 40, explanation: "5 sales", evidence: {} }] };
    let created;
    try {
      created = await api.get(sale);
    } finally {
      verdict = null;
    }
    expect(created.status).toBe(200);
    const commission = await db.commission.findFirstOrThrow({ where: { conversionId: created.body.conversion_id } });
    expect(commission).toMatchObject({ status: "PENDING", approvedAt: null });
    // A repeated approval, and the holding period passing, leave it pending while its flags are open.
    await api.get(sale);
    await db.commission.update({ where: { id: commission.id }, data: { holdUntil: new Date(Date.now() - 1000) } });
    await expect(createPayoutRun(getPool(), { actorId: manager.id, affiliateIds: [affiliate.id] })).rejects.toBeInstanceOf(PayoutRunError);
    // Even an APPROVED row with an open flag (written by any other path) is not taken by a run.
    await db.commission.update({ where: { id: commission.id }, data: { status: "APPROVED", approvedAt: new Date(Date.now() - 1000) } });
    await expect(createPayoutRun(getPool(), { actorId: manager.id, affiliateIds: [affiliate.id] })).rejects.toBeInstanceOf(PayoutRunError);
    await db.fraudFlag.updateMany({ where: { conversionId: created.body.conversion_id }, data: { status: "RELEASED" } });
    expect((await payRun(affiliate.id)).totals).toEqual([{ currency: "EUR", amountMinor: BigInt(commission.amountMinor) }]);
  });

  it("turns a refund of a commission in an approved (frozen) payout into a claw-back for the next run", async () => {
    const { merchant, affiliate, link } = await createProgram();
    const sale = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("frozen"), status: "approved" };
    await api.get(sale);
    const commission = await db.commission.findFirstOrThrow({ where: { affiliateId: affiliate.id } });
    await db.commission.update({ where: { id: commission.id }, data: { approvedAt: new Date(Date.now() - 1000) } });
    const pool = getPool();
    const run = await createPayoutRun(pool, { actorId: manager.id, affiliateIds: [affiliate.id] });
    const batch = await db.payoutBatch.findFirstOrThrow({ where: { runId: run.runId } });
    await approveBatch(pool, batch.id, manager.id);

    const refund = await api.get({ ...sale, status: "refunded" });
    expect(refund.body.message).toContain("adjustment goes to the affiliate's next payout");
    // The frozen payout still pays the commission; the claw-back waits for the next run.
    await markBatchSent(pool, batch.id, manager.id);
    await settlePayouts(pool, batch.id, [], manager.id, { rest: "paid" });
    expect(await db.commission.findUniqueOrThrow({ where: { id: commission.id } })).toMatchObject({ status: "PAID" });
    expect(await db.commission.findFirstOrThrow({ where: { affiliateId: affiliate.id, kind: "ADJUSTMENT" } })).toMatchObject({ amountMinor: -commission.amountMinor, status: "APPROVED", payoutId: null });
  });
});
