// Retention of postback_logs, audit_logs and expired rate_limits rows: old rows go, in batches smaller than the
// work, recent ones stay.
import { describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { createMerchant, unique } from "../testing/fixtures";
import { pruneLogs } from "./retention";

describe("log retention", () => {
  it("deletes rows past their age in small batches and keeps the rest", async () => {
    const merchant = await createMerchant();
    // Ages far beyond any other test's rows (files share the database while this deletes).
    const now = new Date();
    const day = 86_400_000;
    const log = (daysAgo: number) => ({
      merchantId: merchant.id, method: "GET", params: {}, outcome: "REJECTED" as const, reasonCode: "wrong_token", message: "x", httpStatus: 401,
      receivedAt: new Date(now.getTime() - daysAgo * day),
    });
    await db.postbackLog.createMany({ data: [...Array.from({ length: 7 }, () => log(4_100)), log(3_900), log(1)] });
    const entity = unique("audit");
    await db.auditLog.createMany({
      data: [5_100, 5_001, 10].map((daysAgo) => ({ action: "test", entityType: "retention", entityId: entity, createdAt: new Date(now.getTime() - daysAgo * day) })),
    });
    const key = unique("rl");
    await db.rateLimit.createMany({ data: [{ key: `${key}-old`, points: 1, expire: BigInt(now.getTime() - 1) }, { key: `${key}-new`, points: 1, expire: BigInt(now.getTime() + 60_000) }] });

    const done = await pruneLogs(getPool(), { now, postbackLogDays: 4_000, auditLogDays: 5_000, batchSize: 3 });
    expect(done.postbackLogs).toBeGreaterThanOrEqual(7);
    expect(done.auditLogs).toBeGreaterThanOrEqual(2);
    const left = await db.postbackLog.findMany({ where: { merchantId: merchant.id } });
    expect(left.map((l) => Math.round((now.getTime() - l.receivedAt.getTime()) / day)).sort((a, b) => a - b)).toEqual([1, 3_900]);
    const audits = await db.auditLog.findMany({ where: { entityId: entity } });
    expect(audits).toHaveLength(1);
    expect((await db.rateLimit.findMany({ where: { key: { startsWith: key } } })).map((r) => r.key)).toEqual([`${key}-new`]);
  });
});
