// Fraud review through the tRPC router, on the real database: the queue, release and reverse (one or many), the
// audit trail, rule settings and the block list, with bad input refused and nothing written.
import { describe, expect, it } from "vitest";
import { db } from "../db";
import { callerFor, createManager, createProgram } from "../testing/fixtures";
import { createFlaggedCommission } from "./test-support";

const manager = await createManager();
const api = callerFor(manager);

describe("queue", () => {
  it("groups open flags by affiliate, each commission with its flags", async () => {
    const program = await createProgram();
    const a = await createFlaggedCommission({ program, codes: ["fast_conversion", "non_human"] });
    const b = await createFlaggedCommission({ program, status: "PENDING", codes: ["click_spamming"] });
    const group = (await api.fraud.queue()).find((g) => g.affiliate.id === program.affiliate.id)!;
    expect(group.items.map((i) => i.commission!.id).sort()).toEqual([a.commission.id, b.commission.id].sort());
    const held = group.items.find((i) => i.commission!.id === a.commission.id)!;
    expect(held.flags.map((f) => f.code).sort()).toEqual(["fast_conversion", "non_human"]);
    expect(held.commission!.heldReason).toMatch(/after the click/);
    expect(group.window.from.getTime()).toBeLessThan(group.window.to.getTime());
  });

  it("charts the affiliate's clicks, conversions and flags per hour", async () => {
    const { program } = await createFlaggedCommission();
    const now = Date.now();
    await db.click.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({ id: `${program.link.id}-${now}-${i}`, linkId: program.link.id, affiliateId: program.affiliate.id, offerId: program.offer.id, createdAt: new Date(now - i * 1000), billable: i !== 0, isBot: i === 0 })),
    });
    const series = await api.fraud.traffic({ affiliateId: program.affiliate.id, from: new Date(now - 3 * 3_600_000), to: new Date(now + 60_000) });
    expect(series).toHaveLength(4);
    const total = series.reduce((s, h) => ({ clicks: s.clicks + h.clicks, nonBillable: s.nonBillable + h.nonBillable, conversions: s.conversions + h.conversions, flags: s.flags + h.flags }), { clicks: 0, nonBillable: 0, conversions: 0, flags: 0 });
    expect(total).toEqual({ clicks: 5, nonBillable: 1, conversions: 1, flags: 1 });
  });
});

describe("decisions", () => {
  it("release: HELD → PENDING inside the holding period, flags released, audited with who and when", async () => {
    const { commission } = await createFlaggedCommission();
    const result = await api.fraud.decide({ commissionIds: [commission.id], decision: "release", note: "known customer" });
    expect(result).toEqual({ decided: [{ commissionId: commission.id, from: "HELD", to: "PENDING" }], skipped: [] });
    const after = await db.commission.findUniqueOrThrow({ where: { id: commission.id }, include: { fraudFlags: true } });
    expect(after).toMatchObject({ status: "PENDING", heldReason: null });
    expect(after.fraudFlags.every((f) => f.status === "RELEASED" && f.decidedById === manager.id && f.decidedAt)).toBe(true);
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityId: commission.id } });
    expect(audit).toMatchObject({ actorId: manager.id, action: "fraud.release", data: { from: "HELD", to: "PENDING", note: "known customer", flags: ["fast_conversion"] } });
    const history = await api.fraud.history();
    expect(history.find((h) => h.commissionId === commission.id)?.actor?.id).toBe(manager.id);
  });

  it("release after the holding period (or of a merchant-approved sale) approves it", async () => {
    const past = await createFlaggedCommission({ holdUntil: new Date(Date.now() - 1000) });
    const approvedSale = await createFlaggedCommission({ conversionStatus: "APPROVED" });
    const result = await api.fraud.decide({ commissionIds: [past.commission.id, approvedSale.commission.id], decision: "release" });
    expect(result.decided.map((d) => d.to)).toEqual(["APPROVED", "APPROVED"]);
    const row = await db.commission.findUniqueOrThrow({ where: { id: past.commission.id }, include: { conversion: true } });
    expect(row).toMatchObject({ status: "APPROVED", approvedById: manager.id });
    expect(row.conversion.status).toBe("APPROVED");
  });

  it("reverse many: REVERSED, flags reversed, a commission.reversed outbox event each", async () => {
    const program = await createProgram();
    const held = await createFlaggedCommission({ program });
    const review = await createFlaggedCommission({ program, status: "PENDING" });
    const ids = [held.commission.id, review.commission.id];
    const result = await api.fraud.decide({ commissionIds: ids, decision: "reverse" });
    expect(result.decided.map((d) => d.to)).toEqual(["REVERSED", "REVERSED"]);
    const rows = await db.commission.findMany({ where: { id: { in: ids } }, include: { fraudFlags: true } });
    expect(rows.every((r) => r.status === "REVERSED" && r.reversedAt && r.fraudFlags.every((f) => f.status === "REVERSED"))).toBe(true);
    const events = await db.outboxEvent.findMany({ where: { type: "commission.reversed", merchantId: program.merchant.id } });
    expect(events.map((e) => (e.payload as { commission: { id: string; status: string } }).commission).sort((a, b) => a.id.localeCompare(b.id))).toEqual(
      ids.sort().map((id) => expect.objectContaining({ id, status: "reversed" })),
    );
  });

  it("a decided commission is skipped with its reason; the others still go through", async () => {
    const first = await createFlaggedCommission();
    await api.fraud.decide({ commissionIds: [first.commission.id], decision: "reverse" });
    const second = await createFlaggedCommission();
    const result = await api.fraud.decide({ commissionIds: [first.commission.id, second.commission.id], decision: "release" });
    expect(result.skipped).toEqual([{ commissionId: first.commission.id, reason: "it has no open fraud flags (already decided?)" }]);
    expect(result.decided).toHaveLength(1);
    expect((await db.commission.findUniqueOrThrow({ where: { id: first.commission.id } })).status).toBe("REVERSED");
  });

  it("bad input is refused with a clear message and writes nothing", async () => {
    const { commission } = await createFlaggedCommission();
    await expect(api.fraud.decide({ commissionIds: [], decision: "release" })).rejects.toThrow(/Select at least one commission/);
    await expect(api.fraud.decide({ commissionIds: [commission.id], decision: "approve" as "release" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await db.commission.findUniqueOrThrow({ where: { id: commission.id } })).status).toBe("HELD");
    expect(await db.auditLog.count({ where: { entityId: commission.id } })).toBe(0);
  });

  it("only managers may decide", async () => {
    const { program, commission } = await createFlaggedCommission();
    await expect(callerFor(program.affiliate.user).fraud.decide({ commissionIds: [commission.id], decision: "release" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(null).fraud.queue()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await db.commission.findUniqueOrThrow({ where: { id: commission.id } })).status).toBe("HELD");
  });
});

describe("settings", () => {
  it("lists every rule with its defaults and param schema", async () => {
    const { rules, thresholds } = await api.fraud.rules();
    expect(rules.map((r) => r.code)).toEqual(expect.arrayContaining(["click_velocity", "non_human", "fast_conversion", "click_spamming", "self_referral", "synchronized_burst", "click_farm", "conversion_rate_anomaly"]));
    const fast = rules.find((r) => r.code === "fast_conversion")!;
    expect(fast.defaults).toEqual({ minSeconds: 10 });
    expect(fast.schema).toMatchObject({ properties: { minSeconds: { type: "number", default: 10, minimum: 1 } } });
    expect(thresholds).toMatchObject({ reviewAt: expect.any(Number), holdAt: expect.any(Number) });
  });

  it("refuses invalid params, severity and thresholds, naming the field, and writes nothing", async () => {
    const before = await db.fraudRuleConfig.findUnique({ where: { code: "click_farm" } });
    await expect(api.fraud.updateRule({ code: "click_farm", enabled: true, severity: 60, params: { minClicks: -5 } })).rejects.toThrow(/params\.minClicks|minClicks/);
    await expect(api.fraud.updateRule({ code: "click_farm", enabled: true, severity: 101, params: {} })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.fraud.updateRule({ code: "no_such_rule", enabled: true, severity: 10, params: {} })).rejects.toThrow(/unknown rule: no_such_rule/);
    await expect(api.fraud.updateThresholds({ reviewAt: 80, holdAt: 50 })).rejects.toThrow(/review threshold must not exceed the hold threshold/);
    expect(await db.fraudRuleConfig.findUnique({ where: { code: "click_farm" } })).toEqual(before);
    expect(await db.auditLog.count({ where: { entityId: "no_such_rule" } })).toBe(0);
  });

  it("block list: canonical CIDRs, clear errors for bad ones and duplicates", async () => {
    const octet = 1 + Math.floor(Math.random() * 250);
    const cidr = `198.18.${octet}.0/24`;
    const added = await api.fraud.addBlock({ cidr: ` ${cidr} `, label: "test range" });
    expect(added.cidr).toBe(cidr);
    await expect(api.fraud.addBlock({ cidr, label: "again" })).rejects.toMatchObject({ code: "CONFLICT", message: `${cidr} is already on the block list.` });
    await expect(api.fraud.addBlock({ cidr: "198.18.1.7/24", label: "x" })).rejects.toThrow(/host bits are set: did you mean 198\.18\.1\.0\/24\?/);
    await expect(api.fraud.addBlock({ cidr: "300.1.1.0/24", label: "x" })).rejects.toThrow(/not an IPv4 or IPv6 address/);
    await expect(api.fraud.addBlock({ cidr: "10.0.0.0/33", label: "x" })).rejects.toThrow(/prefix length must be a whole number from 0 to 32/);
    expect(await db.ipBlock.count({ where: { label: "x" } })).toBe(0);
    await api.fraud.removeBlock({ id: added.id });
    expect(await db.ipBlock.findUnique({ where: { id: added.id } })).toBeNull();
    expect(await db.auditLog.count({ where: { entityId: added.id } })).toBe(2);
  });
});
