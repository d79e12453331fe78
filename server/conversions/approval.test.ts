import pg from "pg";
import { describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { withDatabase } from "../db/local-postgres";
import { captureLogsForTests } from "../log";
import { clickIdFor, createConversion, createManager, createProgram, unique } from "../testing/fixtures";
import { createFlaggedCommission } from "../fraud/test-support";
import { approveCommissions, approveDueCommissions, startApprovalJob } from "./approval";
import { startPostbackServer } from "./testing";

describe("approval after the holding period", () => {
  it("approves due PENDING commissions and their conversions, leaving held and not-yet-due ones", async () => {
    const { merchant, offer, link } = await createProgram({ offer: { holdingPeriodDays: 0 } });
    const api = await startPostbackServer();
    try {
      const due = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("due") });
      const held = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("held") });
      await db.commission.updateMany({ where: { conversionId: held.body.conversion_id }, data: { status: "HELD", heldReason: "test" } });
      const future = await createConversion(link, { commission: { holdUntil: new Date(Date.now() + 86_400_000) } });

      expect(await approveDueCommissions(getPool(), { offerId: offer.id })).toBe(1);
      const rows = await db.commission.findMany({ where: { offerId: offer.id }, include: { conversion: true } });
      const byConversion = new Map(rows.map((r) => [r.conversionId, r]));
      expect(byConversion.get(due.body.conversion_id)).toMatchObject({ status: "APPROVED", approvedAt: expect.any(Date), conversion: { status: "APPROVED" } });
      expect(byConversion.get(held.body.conversion_id)).toMatchObject({ status: "HELD", conversion: { status: "PENDING" } });
      expect(byConversion.get(future.conversion.id)!.status).toBe("PENDING");
      expect(await approveDueCommissions(getPool(), { offerId: offer.id })).toBe(0);
    } finally {
      await api.close();
    }
  });

  it("runs as a job: a round approves what is due by its clock", async () => {
    // The job's clock is in 2001, so it only sees this test's commission (others are due decades later).
    const { link } = await createProgram();
    const { commission } = await createConversion(link, { at: new Date("2001-01-01T00:00:00Z"), commission: { holdUntil: new Date("2001-01-05T00:00:00Z") } });
    const job = startApprovalJob({ pool: getPool(), intervalMs: 3_600_000, registerShutdown: false, now: () => new Date("2001-01-05T00:00:00Z") });
    try {
      expect(await job.runOnce()).toBe(1);
      expect(await db.commission.findUniqueOrThrow({ where: { id: commission.id } })).toMatchObject({ status: "APPROVED", approvedAt: new Date("2001-01-05T00:00:00Z") });
      expect(await job.runOnce()).toBe(0);
    } finally {
      await job.stop();
    }
  });

  it("reports a failed round and keeps running", async () => {
    const broken = new pg.Pool({ connectionString: withDatabase(process.env.DATABASE_URL!, `missing_${unique("db").replace("-", "_")}`) });
    const logs = captureLogsForTests("error");
    const job = startApprovalJob({ pool: broken, intervalMs: 3_600_000, registerShutdown: false });
    try {
      expect(await job.runOnce()).toBe(0);
      expect(await job.runOnce()).toBe(0); // a new round after the failed one, not a stuck promise
      expect(logs.lines).toHaveLength(2);
      expect(JSON.parse(logs.lines[0]!)).toMatchObject({ level: 50, tag: "approvals", msg: expect.stringMatching(/^round failed \(retried next round\): /) });
    } finally {
      logs.stop();
      await job.stop();
      await broken.end();
    }
  });
});

describe("approval by a manager", () => {
  it("approves pending commissions, records who and when, and reports what it skipped (held, under fraud review, unknown)", async () => {
    const { link } = await createProgram();
    const manager = await createManager();
    const a = await createConversion(link);
    const b = await createConversion(link, { commission: { status: "HELD", heldReason: "velocity" } });
    const flagged = await createFlaggedCommission({ status: "PENDING", codes: ["click_spamming"] }); // under review
    const outcome = await approveCommissions(db, [a.commission.id, b.commission.id, flagged.commission.id, "missing-id", a.commission.id], manager.id);
    expect(outcome.approved).toEqual([a.commission.id]);
    expect(outcome.skipped).toEqual(
      expect.arrayContaining([
        { id: b.commission.id, status: "HELD" },
        { id: flagged.commission.id, status: "UNDER_REVIEW" },
        { id: "missing-id", status: null },
      ]),
    );
    expect(outcome.skipped).toHaveLength(3);
    expect(await db.commission.findUniqueOrThrow({ where: { id: flagged.commission.id } })).toMatchObject({ status: "PENDING" });
    expect(await db.commission.findUniqueOrThrow({ where: { id: a.commission.id } })).toMatchObject({ status: "APPROVED", approvedById: manager.id });
    const audit = await db.auditLog.findMany({ where: { entityId: { in: [a.commission.id, b.commission.id] } } });
    expect(audit).toEqual([expect.objectContaining({ actorId: manager.id, action: "commission.approve", entityType: "commission", entityId: a.commission.id })]);
  });
});
