// Payout runs on the real database, through the managers' tRPC procedures and the export files. Runs are limited to
// this file's affiliates (other test files create approved commissions in the same database at the same time).
import { text } from "node:stream/consumers";
import { TRPCError } from "@trpc/server";
import { beforeAll, describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { callerFor, createConversion, createManager, createProgram } from "../testing/fixtures";
import { CLAIM } from "./claim";
import { batchFile, runFile, statementFile } from "./export";

let manager: Awaited<ReturnType<typeof createManager>>;
beforeAll(async () => {
  manager = await createManager();
});

const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

async function affiliateWith(amounts: number[], opts: { offer?: NonNullable<Parameters<typeof createProgram>[0]>["offer"]; affiliate?: Record<string, unknown> } = {}) {
  const program = await createProgram({ offer: opts.offer });
  if (opts.affiliate) await db.affiliate.update({ where: { id: program.affiliate.id }, data: opts.affiliate });
  for (const amountMinor of amounts) {
    await createConversion(program.link, { commission: { amountMinor, status: "APPROVED", approvedAt: minutesAgo(1), kind: "COMMISSION" } });
  }
  return program;
}

/** The invariants: each approved commission of the run's affiliates is in exactly one live payout or carried over with
 * a reason; each payout's amount is the sum of its commissions. */
async function checkInvariants(runId: string, affiliateIds: string[]) {
  const payouts = await db.payout.findMany({ where: { runId, status: { notIn: ["CANCELLED", "FAILED"] } } });
  const members = new Map<string, { id: string; amountMinor: number }[]>();
  for (const p of payouts) members.set(p.id, await commissionsOf(p.id));
  for (const p of payouts) {
    expect(p.amountMinor, `payout ${p.id}`).toBe(members.get(p.id)!.reduce((s, c) => s + BigInt(c.amountMinor), 0n));
    expect(p.commissionCount).toBe(members.get(p.id)!.length);
  }
  const carried = await db.payoutCarryover.findMany({ where: { runId } });
  const failed = await db.payout.findMany({ where: { runId, status: "FAILED" } });
  const approved = await db.commission.findMany({ where: { affiliateId: { in: affiliateIds }, status: { in: ["APPROVED", "PAID"] }, kind: "COMMISSION" } });
  for (const c of approved) {
    const inPayout = payouts.filter((p) => members.get(p.id)!.some((k) => k.id === c.id)).length;
    const isCarried = c.payoutId === null && carried.some((k) => k.affiliateId === c.affiliateId && k.currency === c.currency && k.reason.length > 0);
    if (c.status === "PAID" && inPayout === 0) continue; // paid by an earlier run
    // A failed payout's commissions are back in the pool, for the next run.
    const returned = c.payoutId === null && failed.some((p) => p.affiliateId === c.affiliateId && p.currency === c.currency);
    expect(inPayout + (isCarried ? 1 : 0) + (returned ? 1 : 0), `commission ${c.id}`).toBe(1);
  }
  const batches = await db.payoutBatch.findMany({ where: { runId, status: { not: "CANCELLED" } } });
  for (const b of batches) {
    const live = payouts.filter((p) => p.batchId === b.id);
    expect(b.totalMinor).toBe(live.reduce((s, p) => s + p.amountMinor, 0n));
  }
}

/** A payout's commissions as the domain sees them (claimed while in flight, attached once paid). */
async function commissionsOf(payoutId: string) {
  const { rows } = await getPool().query<{ id: string; amountMinor: number }>(
    `SELECT c.id, c."amountMinor" FROM payouts p JOIN commissions c ON ${CLAIM("c", "p")} WHERE p.id = $1`,
    [payoutId],
  );
  return rows;
}

describe("payout runs with lanes", () => {
  it("splits a run into lanes, carries over who cannot be paid with the reason, and settles each payout on its own", async () => {
    const paypal = await affiliateWith([1000, 2050]);
    const paypal2 = await affiliateWith([700]);
    const wise = await affiliateWith([5000], { affiliate: { payoutMethod: "WISE", payoutDetails: { method: "WISE", scheme: "EMAIL", holder: "Wise Person", email: "wise@example.com" } } });
    const noTax = await affiliateWith([4000], { affiliate: { payoutBlocker: "tax information (W-9 or W-8BEN) missing or incomplete", taxInfo: {}, taxForm: null } });
    const suspended = await affiliateWith([3000], { affiliate: { active: false } });
    const ids = [paypal, paypal2, wise, noTax, suspended].map((p) => p.affiliate.id);
    const api = callerFor(manager);

    const created = await api.payouts.create({ affiliateIds: ids });
    expect(created).toMatchObject({ payouts: 3, carriedOver: 2, totals: [{ currency: "EUR", amountMinor: 8750n }] });
    await checkInvariants(created.runId, ids);

    const run = await api.payouts.run({ runId: created.runId });
    expect(run.batches.map((b) => [b.method, b.currency, b.status, b.payoutCount, b.totalMinor])).toEqual([
      ["PAYPAL", "EUR", "DRAFT", 2, 3750n],
      ["WISE", "EUR", "DRAFT", 1, 5000n],
    ]);
    expect(run.carryovers.map((c) => [c.affiliateId, c.amountMinor, c.reason]).sort()).toEqual(
      [
        [noTax.affiliate.id, 4000n, "not payable: tax information (W-9 or W-8BEN) missing or incomplete"],
        [suspended.affiliate.id, 3000n, "affiliate suspended"],
      ].sort(),
    );

    // One lane moves while the other waits: PayPal approved, exported, sent; Wise still a draft.
    const paypalBatch = run.batches.find((b) => b.method === "PAYPAL")!;
    const wiseBatch = run.batches.find((b) => b.method === "WISE")!;
    await expect(batchFile(getPool(), paypalBatch.id)).rejects.toMatchObject({ code: "wrong_status" });
    await api.payouts.approveBatch({ batchId: paypalBatch.id });
    const file = await batchFile(getPool(), paypalBatch.id);
    const csv = await text(file.body);
    const payouts = await db.payout.findMany({ where: { batchId: paypalBatch.id }, orderBy: { number: "asc" } });
    expect(csv).toBe(
      payouts.map((p) => `${p.recipient},${p.amountMinor === 3050n ? "30.50" : "7.00"},EUR,PO${p.number},Affiliate program: affiliate commissions,PAYPAL\n`).join(""),
    );
    await api.payouts.markExported({ batchId: paypalBatch.id });
    await api.payouts.markSent({ batchId: paypalBatch.id });
    expect((await api.payouts.run({ runId: created.runId })).batches.map((b) => b.status)).toEqual(["SENT", "DRAFT"]);

    // One payout fails, the rest are paid: the failed one's commissions return to the pool, untouched others paid.
    const failing = payouts.find((p) => p.affiliateId === paypal2.affiliate.id)!;
    const paidPayoutId = () => payouts.find((p) => p.affiliateId === paypal.affiliate.id)!.id;
    await api.payouts.settle({ batchId: paypalBatch.id, settlements: [{ payout: `PO${failing.number}`, outcome: "failed", reason: "PayPal account closed" }], rest: "paid" });
    expect(await db.payout.findUniqueOrThrow({ where: { id: failing.id } })).toMatchObject({ status: "FAILED", failureReason: "PayPal account closed" });
    expect(await db.commission.findMany({ where: { affiliateId: paypal2.affiliate.id }, select: { status: true, payoutId: true } })).toEqual([{ status: "APPROVED", payoutId: null }]);
    expect((await db.commission.findMany({ where: { affiliateId: paypal.affiliate.id } })).map((c) => c.status)).toEqual(["PAID", "PAID"]);
    await checkInvariants(created.runId, ids);
    expect((await db.commission.findMany({ where: { affiliateId: paypal.affiliate.id } })).map((c) => c.payoutId)).toEqual([paidPayoutId(), paidPayoutId()]);
    const lanes = (await api.payouts.run({ runId: created.runId })).batches;
    expect(lanes.map((b) => [b.status, b.totalMinor])).toEqual([["SETTLED", 3050n], ["DRAFT", 5000n]]);

    // Webhooks through the outbox, in the same transactions: program events (no merchant).
    const events = await db.outboxEvent.findMany({ where: { type: { startsWith: "payout." }, payload: { path: ["payout", "batch_id"], equals: paypalBatch.id } } });
    expect(events.map((e) => [e.type, e.merchantId, (e.payload as { payout: { status: string } }).payout.status]).sort()).toEqual([
      ["payout.failed", null, "failed"],
      ["payout.paid", null, "paid"],
      ["payout.sent", null, "sent"],
      ["payout.sent", null, "sent"],
    ]);

    // The affiliate sees the failure and the statement of the paid payout.
    const mine = await callerFor(paypal2.affiliate.user).payouts.mine();
    expect(mine).toMatchObject([{ status: "FAILED", failureReason: "PayPal account closed" }]);
    const paidPayout = payouts.find((p) => p.affiliateId === paypal.affiliate.id)!;
    const statement = await callerFor(paypal.affiliate.user).payouts.statement({ payoutId: paidPayout.id });
    expect(statement.commissions.map((c) => c.amountMinor).sort()).toEqual([1000, 2050]);
    await expect(callerFor(paypal2.affiliate.user).payouts.statement({ payoutId: paidPayout.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const statementCsv = await text((await statementFile(getPool(), paypal.affiliate.id, paidPayout.id)).body);
    expect(statementCsv.split("\n")[0]).toBe("commission_id,date,kind,transaction,offer,amount,currency,calculation,status");
    expect(statementCsv).toContain(",20.50,EUR,");

    // The whole run's file lists every payout with its status; details masked.
    const all = await text((await runFile(getPool(), created.runId)).body);
    expect(all.trim().split("\n")).toHaveLength(1 + 3);
    expect(all).toContain("PayPal account closed");
    expect(all).not.toContain("wise@example.com,"); // masked: wi•••@example.com

    // The failed payout's commission is in the next run; the Wise lane (still a draft) keeps its own.
    const next = await api.payouts.create({ affiliateIds: ids });
    expect(next.totals).toEqual([{ currency: "EUR", amountMinor: 700n }]);
    await checkInvariants(next.runId, [paypal2.affiliate.id]);
  });

  it("drops a commission reversed before approval, carries over nets below the minimum, and refuses steps out of order", async () => {
    const a = await affiliateWith([1000, 4000], { offer: { currency: "CHF" } });
    const small = await affiliateWith([300], { offer: { currency: "CHF" } });
    const api = callerFor(manager);
    const policy = await api.payouts.policy();
    await api.payouts.updatePolicy({ ...policy, minimums: { ...policy.minimums, CHF: 500 } });
    try {
      const { runId, carriedOver } = await api.payouts.create({ affiliateIds: [a.affiliate.id, small.affiliate.id] });
      expect(carriedOver).toBe(1);
      const run = await api.payouts.run({ runId });
      expect(run.carryovers[0]).toMatchObject({ affiliateId: small.affiliate.id, reason: "below the minimum payout of 500 CHF minor units" });
      const big = await db.commission.findFirstOrThrow({ where: { affiliateId: a.affiliate.id, amountMinor: 4000 } });
      await db.commission.update({ where: { id: big.id }, data: { status: "REVERSED", reversedAt: new Date() } });
      const batch = run.batches[0]!;
      await expect(api.payouts.markSent({ batchId: batch.id })).rejects.toMatchObject({ code: "CONFLICT" });
      const approved = await api.payouts.approveBatch({ batchId: batch.id });
      expect(approved.totalMinor).toBe(1000n);
      expect(await db.commission.findUniqueOrThrow({ where: { id: big.id } })).toMatchObject({ status: "REVERSED", payoutId: null });
      await checkInvariants(runId, [a.affiliate.id, small.affiliate.id]);
      // Cancelled before sending: everything goes back to the pool.
      await api.payouts.cancel({ runId });
      expect((await api.payouts.run({ runId })).status).toBe("CANCELLED");
      expect(await db.commission.count({ where: { affiliateId: a.affiliate.id, payoutId: null, status: "APPROVED" } })).toBe(1);
      await expect(api.payouts.approveBatch({ batchId: batch.id })).rejects.toMatchObject({ code: "CONFLICT" });
    } finally {
      await api.payouts.updatePolicy(await api.payouts.policy().then((p) => ({ ...p, minimums: Object.fromEntries(Object.entries(p.minimums).filter(([c]) => c !== "CHF")) })));
    }
    await expect(api.payouts.run({ runId: "no-such-run" })).rejects.toBeInstanceOf(TRPCError);
  });

  it("settles from a provider result file, and refuses a file with a bad line without writing anything", async () => {
    const a = await affiliateWith([1200]);
    const b = await affiliateWith([800]);
    const api = callerFor(manager);
    const { runId } = await api.payouts.create({ affiliateIds: [a.affiliate.id, b.affiliate.id] });
    const [batch] = (await api.payouts.run({ runId })).batches;
    await api.payouts.approveBatch({ batchId: batch!.id });
    await api.payouts.markSent({ batchId: batch!.id });
    const [pa, pb] = await db.payout.findMany({ where: { batchId: batch!.id }, orderBy: { number: "asc" } });

    const bad = `Reference,Status,Reason\nPO${pa!.number},Completed,\nnot-a-ref,Completed,\nPO${pb!.number},Teleported,\n`;
    await expect(api.payouts.importResult({ batchId: batch!.id, csv: bad })).rejects.toMatchObject({ code: "BAD_REQUEST", message: "Nothing was changed: 2 lines could not be read." });
    await expect(api.payouts.importResult({ batchId: batch!.id, csv: "a,b\n1,2\n" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await db.payout.findMany({ where: { batchId: batch!.id } })).map((p) => p.status)).toEqual(["SENT", "SENT"]);

    const good = `Customer ID,Status,Reason\nPO${pa!.number},Completed,\npo${pb!.number},Returned,Recipient unknown\n`;
    expect(await api.payouts.importResult({ batchId: batch!.id, csv: good })).toEqual({ paid: 1, failed: 1, waiting: 0 });
    expect(await db.payout.findUniqueOrThrow({ where: { id: pb!.id } })).toMatchObject({ status: "FAILED", failureReason: "Recipient unknown" });
    // Settled payouts cannot be settled again.
    await expect(api.payouts.importResult({ batchId: batch!.id, csv: good })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await api.payouts.run({ runId })).batches[0]!.status).toBe("SETTLED");
  });

  it("is for managers only", async () => {
    const { affiliate, merchantUser } = await affiliateWith([100]);
    for (const user of [affiliate.user, merchantUser]) {
      await expect(callerFor(user).payouts.create({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(callerFor(null).payouts.runs()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.payout.count({ where: { affiliateId: affiliate.id } })).toBe(0);
  });
});

describe("affiliate payout settings", () => {
  it("validates details and tax information, audits the change, and makes the affiliate payable", async () => {
    const { affiliate } = await affiliateWith([], { affiliate: { payoutBlocker: "no payout details or tax information on file", taxInfo: {}, taxForm: null, payoutDetails: {} } });
    const api = callerFor(affiliate.user);
    const before = await db.affiliate.findUniqueOrThrow({ where: { id: affiliate.id } });
    const tax = { form: "W8BEN" as const, legalName: "Jane Doe", country: "DE", taxId: "DE987654321", signedAt: "2026-02-01" };
    const badIban = { method: "BANK_TRANSFER" as const, scheme: "IBAN" as const, holder: "Jane Doe", iban: "DE89 3704 0044 0532 0130 01", bic: "COBADEFFXXX" };
    await expect(api.payouts.saveSettings({ details: badIban, currency: "EUR", tax })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("IBAN is not valid") });
    await expect(api.payouts.saveSettings({ details: { ...badIban, iban: "DE89370400440532013000" }, currency: "EUR", tax: { ...tax, form: "W9" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("W-9 is for US persons"),
    });
    expect(await db.affiliate.findUniqueOrThrow({ where: { id: affiliate.id } })).toEqual(before);

    await api.payouts.saveSettings({ details: { ...badIban, iban: "DE89 3704 0044 0532 0130 00" }, currency: "EUR", tax });
    const settings = await api.payouts.settings();
    expect(settings).toMatchObject({ method: "BANK_TRANSFER", blocker: null, details: { iban: "DE89370400440532013000" }, tax: { taxIdMasked: "•••• 4321" } });
    expect(JSON.stringify(settings)).not.toContain("DE987654321");
    // An empty tax id keeps the one on file.
    await api.payouts.saveSettings({ details: { method: "PAYPAL", email: "Jane@Example.com" }, currency: "USD", tax: { ...tax, taxId: "" } });
    expect(await db.affiliate.findUniqueOrThrow({ where: { id: affiliate.id } })).toMatchObject({ payoutMethod: "PAYPAL", currency: "USD", payoutBlocker: null, taxInfo: expect.objectContaining({ taxId: "DE987654321" }) });
    const audit = await db.auditLog.findMany({ where: { entityId: affiliate.id, action: "affiliate.payout_settings.update" }, orderBy: { createdAt: "asc" } });
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toContain("DE89370400440532013000");
    expect(JSON.stringify(audit)).not.toContain("DE987654321");
  });
});
