// Rollups equal the raw facts, whatever happens: a random mix of click batches (COPY, retried batches that were
// already stored, deletions), postbacks (new, duplicate, approved, refunded, held by the fraud checks), manager
// approvals, the approval job, fraud decisions and payout runs, with compactions at random points. After each mix
// the rebuild check compares every rollup with the raw tables key by key, and the dashboard reads agree with raw
// aggregates of this test's own rows. Other test files write at the same time: the check is one snapshot per
// rollup, so their statements are seen whole or not at all.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import type { FraudVerdict } from "../fraud";
import { approveCommissions, approveDueCommissions } from "../conversions/approval";
import { type PostbackClient, passAll, startPostbackServer } from "../conversions/testing";
import { decideCommissions } from "../fraud/review";
import { approvePayoutRun, createPayoutRun, markPayoutRunPaid } from "../payouts/runs";
import { clickIdFor, createAffiliate, createLink, createManager, createProgram, unique } from "../testing/fixtures";
import { pgClickWriter } from "../tracking/click-writer";
import type { ClickRecord } from "../tracking/redirect";
import { affiliateEarnings } from "./affiliate";
import { compactRollups } from "./compactor";
import { clickCounts, conversionCounts } from "./links";
import { checkRollups } from "./rebuild";
import { ROLLUPS } from "./rollups";

let api: PostbackClient;
let verdict: FraudVerdict | null = null;
let managerId: string;
beforeAll(async () => {
  api = await startPostbackServer({ evaluate: () => verdict ?? passAll() });
  managerId = (await createManager()).id;
});
afterAll(() => api.close());

const HOLD: FraudVerdict = { score: 80, decision: "HOLD", flags: [{ code: "fast_conversion", severity: 80, explanation: "test hold", publicExplanation: "test hold", evidence: {} }], reason: "test hold" } as unknown as FraudVerdict;

type Op =
  | { kind: "clicks"; n: number; hoursAgo: number; bots: number; repeats: number; retry: boolean }
  | { kind: "deleteClicks"; n: number }
  | { kind: "postback"; link: number; amount: number; approved: boolean; hold: boolean; touched: boolean }
  | { kind: "duplicate" | "refund" | "merchantApprove"; pick: number }
  | { kind: "managerApprove" | "release" | "reverse"; pick: number }
  | { kind: "approvalJob" | "payout" | "compact" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("clicks" as const), n: fc.integer({ min: 1, max: 40 }), hoursAgo: fc.integer({ min: 0, max: 24 * 40 }), bots: fc.nat({ max: 5 }), repeats: fc.nat({ max: 5 }), retry: fc.boolean() }),
  fc.record({ kind: fc.constant("deleteClicks" as const), n: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant("postback" as const), link: fc.nat({ max: 2 }), amount: fc.integer({ min: 1, max: 100_000 }), approved: fc.boolean(), hold: fc.boolean(), touched: fc.boolean() }),
  fc.record({ kind: fc.constantFrom("duplicate" as const, "refund" as const, "merchantApprove" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constantFrom("managerApprove" as const, "release" as const, "reverse" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constantFrom("approvalJob" as const, "payout" as const, "compact" as const) }),
);

async function newProgram() {
  const program = await createProgram({ offer: { payoutModel: "REVSHARE", revshareBps: 1000, holdingPeriodDays: 0 } });
  const second = await createLink({ affiliateId: program.affiliate.id, offerId: program.offer.id });
  const other = await createLink({ affiliateId: (await createAffiliate()).id, offerId: program.offer.id });
  return { ...program, links: [program.link, second, other] };
}

type Program = Awaited<ReturnType<typeof newProgram>>;

async function apply(program: Program, ops: Op[]) {
  const writer = pgClickWriter(getPool());
  const clickIds: string[] = [];
  const txns: string[] = [];
  const pick = <T>(list: T[], i: number) => (list.length ? list[i % list.length] : undefined);
  const commissionIds = async () => (await db.commission.findMany({ where: { offerId: program.offer.id }, select: { id: true }, orderBy: { id: "asc" } })).map((c) => c.id);
  for (const o of ops) {
    switch (o.kind) {
      case "clicks": {
        const at = Date.now() - o.hoursAgo * 3_600_000;
        const batch: ClickRecord[] = Array.from({ length: o.n }, (_, i) => {
          const link = program.links[i % program.links.length]!;
          const clickId = clickIdFor(link.id, new Date(at + i));
          clickIds.push(clickId);
          const isBot = i < o.bots;
          return { clickId, linkId: link.id, affiliateId: link.affiliateId, offerId: link.offerId, at: at + i, ip: "198.51.100.7", userAgent: "Mozilla/5.0", referer: null, sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, billable: !isBot, isBot, isRepeat: i < o.repeats };
        });
        await writer(batch);
        if (o.retry) await writer(batch, { mayExist: true }); // an unanswered write retried: nothing stored twice
        break;
      }
      case "deleteClicks":
        await getPool().query(`DELETE FROM clicks WHERE id = ANY($1::text[])`, [clickIds.splice(0, o.n)]);
        break;
      case "postback": {
        const link = program.links[o.link]!;
        const txn = unique("rollup");
        verdict = o.hold ? HOLD : null;
        const res = await api.get({ token: program.merchant.postbackToken, click_id: clickIdFor(link.id, new Date(Date.now() - 60_000)), txn_id: txn, amount: (o.amount / 100).toFixed(2), currency: "EUR", ...(o.approved ? { status: "approved" } : {}),
          // An earlier touch by another affiliate: the credit report's paths.
          ...(o.touched ? { touches: clickIdFor(program.links[(o.link + 2) % 3]!.id, new Date(Date.now() - 3_600_000)) } : {}) });
        verdict = null;
        expect(res.status).toBe(200);
        txns.push(txn);
        break;
      }
      case "duplicate":
      case "refund":
      case "merchantApprove": {
        const txn = pick(txns, o.pick);
        if (!txn) break;
        const status = o.kind === "refund" ? { status: "refunded" } : o.kind === "merchantApprove" ? { status: "approved" } : {};
        const res = await api.get({ token: program.merchant.postbackToken, click_id: clickIdFor(program.link.id, new Date(Date.now() - 60_000)), txn_id: txn, amount: "10.00", currency: "EUR", ...status });
        expect([200, 409]).toContain(res.status);
        break;
      }
      case "managerApprove": {
        const id = pick(await commissionIds(), o.pick);
        if (id) await approveCommissions(db, [id], managerId);
        break;
      }
      case "release":
      case "reverse": {
        const id = pick(await commissionIds(), o.pick);
        if (id) await decideCommissions(db, { commissionIds: [id], decision: o.kind }, managerId);
        break;
      }
      case "approvalJob":
        await approveDueCommissions(getPool(), { now: new Date(Date.now() + 60_000), offerId: program.offer.id });
        break;
      case "payout": {
        const affiliateIds = [...new Set(program.links.map((l) => l.affiliateId))];
        const run = await createPayoutRun(db, { actorId: managerId, affiliateIds }).catch(() => null); // nothing payable: refused
        if (run) {
          await approvePayoutRun(db, run.runId, managerId);
          await markPayoutRunPaid(db, run.runId, managerId);
        }
        break;
      }
      case "compact":
        await compactRollups(getPool());
        break;
    }
  }
}

describe("rollups", () => {
  const seen = new Set<string>();
  it("equal the raw facts after any mix of clicks, postbacks, refunds, approvals, holds, decisions and payouts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 25 }), async (ops) => {
        const program = await newProgram();
        await apply(program, ops);
        expect(await checkRollups(getPool())).toEqual([]);
        for (const c of await db.commission.findMany({ where: { offerId: program.offer.id }, select: { status: true, kind: true } })) seen.add(`${c.kind} ${c.status}`);
        seen.add(`clicks ${await db.click.count({ where: { offerId: program.offer.id } }) > 0}`);

        // The reads the pages use agree with the raw rows of this program.
        const { affiliate } = program;
        const raw = await db.commission.groupBy({ by: ["currency", "status"], where: { affiliateId: affiliate.id }, _sum: { amountMinor: true } });
        const earnings = await affiliateEarnings(affiliate.id);
        for (const row of raw) {
          const line = earnings.find((e) => e.currency === row.currency)!;
          expect(line[row.status.toLowerCase() as "pending"]).toBe(BigInt(row._sum.amountMinor ?? 0));
        }
        const since = new Date(Date.now() - 29 * 86_400_000);
        since.setUTCHours(0, 0, 0, 0);
        const counts = await clickCounts({ affiliateId: affiliate.id });
        const rawClicks = await db.click.groupBy({ by: ["linkId"], where: { affiliateId: affiliate.id, createdAt: { gte: since } }, _count: { _all: true } });
        expect(Object.fromEntries([...counts].map(([id, c]) => [id, c.total]).filter(([, n]) => n !== 0))).toEqual(Object.fromEntries(rawClicks.map((c) => [c.linkId, c._count._all])));
        const conversions = await conversionCounts({ linkIds: program.links.map((l) => l.id) });
        const rawConversions = await db.conversion.groupBy({ by: ["linkId"], where: { offerId: program.offer.id, createdAt: { gte: since } }, _count: { _all: true } });
        expect(Object.fromEntries([...conversions].filter(([, n]) => n !== 0))).toEqual(Object.fromEntries(rawConversions.map((c) => [c.linkId, c._count._all])));
      }),
      { numRuns: 12, seed: 20261204 },
    );
    // The mixes reached every state a commission can be in (the property is not vacuous).
    expect([...seen].sort()).toEqual(expect.arrayContaining(["COMMISSION APPROVED", "COMMISSION HELD", "COMMISSION PAID", "COMMISSION PENDING", "COMMISSION REVERSED", "clicks true"]));
  });

  it("the rebuild check finds a rollup that drifted, corrects it, and then finds nothing", async () => {
    const { link } = await createProgram();
    await pgClickWriter(getPool())([{ clickId: clickIdFor(link.id), linkId: link.id, affiliateId: link.affiliateId, offerId: link.offerId, at: Date.now(), ip: null, userAgent: null, referer: null, sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, billable: true, isBot: false, isRepeat: false }]);
    // Drift: a delta that no fact backs (as a trigger bug, or a hand edit, would leave).
    await getPool().query(`INSERT INTO rollup_link_day_clicks_delta ("linkId", day, "affiliateId", "offerId", n, billable) VALUES ($1, current_date, $2, $3, 5, 5)`, [link.id, link.affiliateId, link.offerId]);
    expect((await clickCounts({ linkIds: [link.id] })).get(link.id)).toMatchObject({ total: 6, billable: 6 });

    const found = await checkRollups(getPool(), { fix: true });
    expect(found).toEqual([{ table: "rollup_link_day_clicks", keys: 1, samples: [expect.objectContaining({ linkId: link.id, n: -5, billable: -5 })] }]);
    expect((await clickCounts({ linkIds: [link.id] })).get(link.id)).toMatchObject({ total: 1, billable: 1 });
    expect(await checkRollups(getPool())).toEqual([]);
  });

  it("compaction folds every delta into the keyed rows without changing a read", async () => {
    const { link } = await createProgram();
    await pgClickWriter(getPool())([{ clickId: clickIdFor(link.id), linkId: link.id, affiliateId: link.affiliateId, offerId: link.offerId, at: Date.now(), ip: null, userAgent: null, referer: null, sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, billable: false, isBot: true, isRepeat: false }]);
    const before = await clickCounts({ linkIds: [link.id] });
    let result = await compactRollups(getPool());
    while (!result.ran) result = await compactRollups(getPool()); // another file's compaction held the lock
    const { rows } = await getPool().query(`SELECT count(*)::int AS n FROM rollup_link_day_clicks_delta WHERE "linkId" = $1`, [link.id]);
    expect(rows[0].n).toBe(0);
    expect(await clickCounts({ linkIds: [link.id] })).toEqual(before);
    expect(before.get(link.id)).toMatchObject({ total: 1, billable: 0, bots: 1 });
  });

  it("every rollup has a migration-created table with its delta", async () => {
    const { rows } = await getPool().query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'rollup_%'`);
    const tables = new Set(rows.map((r) => r.table_name));
    for (const r of ROLLUPS) {
      expect(tables.has(r.table)).toBe(true);
      expect(tables.has(`${r.table}_delta`)).toBe(true);
    }
  });
});
