// Refunds (postbacks) and approvals (the job, managers) on the same sales at the same time: they take row locks
// in one order (commission, then conversion), so they wait for each other and never deadlock — a deadlock would
// abort one of them, which for a refund is a 503 to the merchant.
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { clickIdFor, createManager, createProgram, unique } from "../testing/fixtures";
import { approveCommissions, approveDueCommissions } from "./approval";
import { type PostbackClient, startPostbackServer } from "./testing";

let api: PostbackClient;
/** Runs inside the next refund's transaction, after its first write (then cleared). */
let duringRefund: ((client: pg.PoolClient) => Promise<void>) | null = null;

beforeAll(async () => {
  api = await startPostbackServer({
    hooks: {
      midTransaction: async (client) => {
        const hook = duringRefund;
        duringRefund = null;
        await hook?.(client);
      },
    },
  });
});
afterAll(() => api.close());

/** Resolves once `work` has finished or is waiting for a lock held by the backend `pid`. */
async function finishedOrBlockedBy<T>(pid: number, work: Promise<T>): Promise<void> {
  let finished = false;
  void work.then(
    () => (finished = true),
    () => (finished = true),
  );
  for (let i = 0; i < 500 && !finished; i++) {
    const { rows } = await getPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid]);
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!finished) throw new Error("the concurrent approval neither finished nor waited for the refund");
}

async function dueSale() {
  const program = await createProgram({ offer: { holdingPeriodDays: 0 } });
  const params = { token: program.merchant.postbackToken, click_id: clickIdFor(program.link.id), txn_id: unique("lock") };
  const created = await api.get(params);
  const commission = await db.commission.findFirstOrThrow({ where: { conversionId: created.body.conversion_id } });
  return { ...program, params, conversionId: created.body.conversion_id as string, commission };
}

describe("lock order", () => {
  it("a manager approving a sale while its refund is in progress waits, then skips it: no deadlock", async () => {
    const sale = await dueSale();
    const manager = await createManager();
    let approval: ReturnType<typeof approveCommissions> | undefined;
    duringRefund = async (client) => {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      approval = approveCommissions(db, [sale.commission.id], manager.id);
      await finishedOrBlockedBy(rows[0]!.pid, approval);
    };
    const refund = await api.get({ ...sale.params, status: "refunded" });
    expect(refund).toMatchObject({ status: 200, body: { status: "refunded" } });
    expect(await approval).toEqual({ approved: [], skipped: [{ id: sale.commission.id, status: "REVERSED" }] });
    expect(await db.commission.findUniqueOrThrow({ where: { id: sale.commission.id } })).toMatchObject({ status: "REVERSED" });
    expect(await db.conversion.findUniqueOrThrow({ where: { id: sale.conversionId } })).toMatchObject({ status: "REFUNDED" });
  });

  it("the approval job running during a refund leaves that sale to the refund: no deadlock", async () => {
    const sale = await dueSale();
    let job: Promise<number> | undefined;
    duringRefund = async (client) => {
      const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
      job = approveDueCommissions(getPool(), { offerId: sale.offer.id });
      await finishedOrBlockedBy(rows[0]!.pid, job);
    };
    const refund = await api.get({ ...sale.params, status: "refunded" });
    expect(refund).toMatchObject({ status: 200, body: { status: "refunded" } });
    expect(await job).toBe(0); // SKIP LOCKED: the refund had the commission
    expect(await db.commission.findUniqueOrThrow({ where: { id: sale.commission.id } })).toMatchObject({ status: "REVERSED" });
  });

  it("many refunds and approvals of the same sales at once all succeed, each sale ending refunded", async () => {
    const sales = await Promise.all(Array.from({ length: 12 }, () => dueSale()));
    const manager = await createManager();
    const ids = sales.map((s) => s.commission.id);
    const results = await Promise.allSettled([
      ...sales.map((s) => api.get({ ...s.params, status: "refunded" })),
      approveCommissions(db, ids, manager.id),
      approveCommissions(db, [...ids].reverse(), manager.id),
      ...sales.map((s) => approveDueCommissions(getPool(), { offerId: s.offer.id })),
    ]);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const refunds = results.slice(0, sales.length).map((r) => (r as PromiseFulfilledResult<{ status: number }>).value.status);
    expect(refunds).toEqual(sales.map(() => 200));
    const rows = await db.conversion.findMany({ where: { id: { in: sales.map((s) => s.conversionId) } }, include: { commissions: true } });
    for (const row of rows) {
      expect(row.status).toBe("REFUNDED");
      expect(row.commissions.map((c) => c.status)).toEqual(["REVERSED"]);
    }
  });
});
