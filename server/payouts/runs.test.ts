// Payout runs on the real database, through the managers' tRPC procedures. Runs are limited to this file's
// affiliates (other test files create approved commissions in the same database at the same time).
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { callerFor, createConversion, createManager, createProgram } from "../testing/fixtures";

let manager: Awaited<ReturnType<typeof createManager>>;
beforeAll(async () => {
  manager = await createManager();
});

async function approvedCommissions(amounts: number[]) {
  const program = await createProgram();
  for (const amountMinor of amounts) {
    await createConversion(program.link, {
      commission: { amountMinor, status: "APPROVED", approvedAt: new Date(Date.now() - 60_000), kind: "COMMISSION" },
    });
  }
  return program;
}

describe("payout runs", () => {
  it("pays approved commissions net of claw-backs, then marks them paid", async () => {
    const { affiliate, link } = await approvedCommissions([1000, 2000]);
    // A claw-back of an earlier paid commission, waiting for this payout.
    const { conversion } = await createConversion(link, { commission: { amountMinor: 700, status: "PAID", paidAt: new Date() } });
    await db.commission.create({
      data: { kind: "ADJUSTMENT", conversionId: conversion.id, affiliateId: affiliate.id, offerId: link.offerId, amountMinor: -700, currency: "EUR", status: "APPROVED", approvedAt: new Date(Date.now() - 60_000), holdUntil: new Date() },
    });
    const api = callerFor(manager);

    const created = await api.payouts.create({ affiliateIds: [affiliate.id] });
    expect(created).toMatchObject({ payouts: 1, totals: [{ currency: "EUR", amountMinor: 2300 }] });
    await expect(api.payouts.create({ affiliateIds: [affiliate.id] })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });

    await api.payouts.approve({ runId: created.runId });
    await api.payouts.markPaid({ runId: created.runId });

    const run = await api.payouts.run({ runId: created.runId });
    expect(run.status).toBe("PAID");
    expect(run.payouts).toMatchObject([{ affiliateId: affiliate.id, amountMinor: 2300, currency: "EUR", method: "PAYPAL" }]);
    const statuses = await db.commission.findMany({ where: { affiliateId: affiliate.id, payout: { runId: created.runId } }, select: { status: true, amountMinor: true } });
    expect(statuses.map((c) => c.status).sort()).toEqual(["PAID", "PAID", "PAID"]);
    const mine = await callerFor(affiliate.user).payouts.mine();
    expect(mine).toMatchObject([{ amountMinor: 2300, currency: "EUR", run: { status: "PAID" } }]);
    const audit = await db.auditLog.findMany({ where: { entityId: created.runId }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.actorId])).toEqual([
      ["payout_run.created", manager.id],
      ["payout_run.approved", manager.id],
      ["payout_run.paid", manager.id],
    ]);
  });

  it("drops a commission reversed while its run is open, and never pays it", async () => {
    const { affiliate } = await approvedCommissions([1000, 4000]);
    const api = callerFor(manager);
    const { runId } = await api.payouts.create({ affiliateIds: [affiliate.id] });
    const big = await db.commission.findFirstOrThrow({ where: { affiliateId: affiliate.id, amountMinor: 4000 } });
    await db.commission.update({ where: { id: big.id }, data: { status: "REVERSED", reversedAt: new Date() } });

    const approved = await api.payouts.approve({ runId });
    expect(approved.totals).toEqual([{ currency: "EUR", amountMinor: 1000 }]);
    await api.payouts.markPaid({ runId });
    expect(await db.commission.findUniqueOrThrow({ where: { id: big.id } })).toMatchObject({ status: "REVERSED", payoutId: null });
  });

  it("refuses steps out of order and releases commissions of a cancelled run", async () => {
    const { affiliate } = await approvedCommissions([1500]);
    const api = callerFor(manager);
    const { runId } = await api.payouts.create({ affiliateIds: [affiliate.id] });
    await expect(api.payouts.markPaid({ runId })).rejects.toMatchObject({ code: "CONFLICT" });
    await api.payouts.cancel({ runId });
    await expect(api.payouts.approve({ runId })).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await db.commission.count({ where: { affiliateId: affiliate.id, payoutId: null, status: "APPROVED" } })).toBe(1);
    // Released commissions go into the next run.
    const next = await api.payouts.create({ affiliateIds: [affiliate.id] });
    expect(next.totals).toEqual([{ currency: "EUR", amountMinor: 1500 }]);
    await expect(api.payouts.run({ runId: "no-such-run" })).rejects.toBeInstanceOf(TRPCError);
  });

  it("is for managers only", async () => {
    const { affiliate, merchantUser } = await approvedCommissions([100]);
    for (const user of [affiliate.user, merchantUser]) {
      await expect(callerFor(user).payouts.create({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(callerFor(null).payouts.runs()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.payout.count({ where: { affiliateId: affiliate.id } })).toBe(0);
  });
});
