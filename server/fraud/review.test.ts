// Fraud review through the tRPC router, on the real database: the queue, release and reverse (one or many), the
// audit trail, rule settings and the block list, with bad input refused and nothing written.
import { describe, expect, it } from "vitest";
import { commissionStatusLabel } from "../conversions/labels";
import { db } from "../db";
import { callerFor, createClicks, createManager, createProgram } from "../testing/fixtures";
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
    const hour = 3_600_000;
    const from = now - 3 * hour;
    const to = now + 60_000;
    const series = await api.fraud.traffic({ affiliateId: program.affiliate.id, from: new Date(from), to: new Date(to) });
    // One bucket per clock hour the range touches: 4, or 5 when `to` crosses into the next hour.
    expect(series).toHaveLength(Math.floor(to / hour) - Math.floor(from / hour) + 1);
    const total = series.reduce((s, h) => ({ clicks: s.clicks + h.clicks, nonBillable: s.nonBillable + h.nonBillable, conversions: s.conversions + h.conversions, flags: s.flags + h.flags }), { clicks: 0, nonBillable: 0, conversions: 0, flags: 0 });
    expect(total).toEqual({ clicks: 5, nonBillable: 1, conversions: 1, flags: 1 });
  });

  it("charts minute by minute around the click of a short-window flag: a one-minute spike stands out", async () => {
    const program = await createProgram();
    const minute = 60_000;
    const spikeAt = new Date(Math.floor(Date.now() / minute) * minute - 20 * minute);
    await createFlaggedCommission({ program, codes: ["click_velocity"], clickedAt: new Date(spikeAt.getTime() + 30_000) });
    await createClicks(program.link, 30, { at: new Date(spikeAt.getTime() + 5_000) }); // 30 clicks inside one minute
    await createClicks(program.link, 2, { at: new Date(spikeAt.getTime() - 10 * minute) });

    const group = (await api.fraud.queue()).find((g) => g.affiliate.id === program.affiliate.id)!;
    expect(group.detail).toMatchObject({ preferred: true, focus: new Date(spikeAt.getTime() + 30_000) });
    expect(group.detail).toMatchObject({ from: new Date(spikeAt.getTime() - 30 * minute), to: new Date(spikeAt.getTime() + 31 * minute) });

    const perMinute = await api.fraud.traffic({ affiliateId: program.affiliate.id, from: group.detail.from, to: group.detail.to, resolution: "minute" });
    expect(perMinute).toHaveLength(61);
    expect(perMinute.find((b) => b.at.getTime() === spikeAt.getTime())).toMatchObject({ clicks: 30 });
    expect(perMinute.filter((b) => b.clicks > 0).map((b) => b.clicks)).toEqual([2, 30]);
    const perHour = await api.fraud.traffic({ affiliateId: program.affiliate.id, from: group.detail.from, to: group.detail.to });
    expect(perHour.reduce((n, b) => n + b.clicks, 0)).toBe(32); // the same clicks, the spike lost in an hour's bar

    // A minute view is bounded (3 h); a group without a short-window flag opens on the hourly view.
    const long = await api.fraud.traffic({ affiliateId: program.affiliate.id, from: new Date(Date.now() - 86_400_000), to: new Date(), resolution: "minute" });
    expect(long).toHaveLength(180);
    const other = await createFlaggedCommission({ codes: ["click_spamming"] });
    expect((await api.fraud.queue()).find((g) => g.affiliate.id === other.program.affiliate.id)!.detail.preferred).toBe(false);
  });
});

describe("decisions", () => {
  it("release: HELD → PENDING inside the holding period, flags released, audited with who and when", async () => {
    const { commission } = await createFlaggedCommission();
    const result = await api.fraud.decide({ commissionIds: [commission.id], decision: "release", note: "known customer" });
    expect(result).toEqual({ decided: [{ commissionId: commission.id, from: "HELD", to: "PENDING" }], closed: [], skipped: [] });
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

  it("release of a commission under review: approved when the merchant already approved the sale", async () => {
    const { commission } = await createFlaggedCommission({ status: "PENDING", conversionStatus: "APPROVED" });
    const result = await api.fraud.decide({ commissionIds: [commission.id], decision: "release" });
    expect(result.decided).toEqual([{ commissionId: commission.id, from: "PENDING", to: "APPROVED" }]);
    expect(await db.commission.findUniqueOrThrow({ where: { id: commission.id } })).toMatchObject({ status: "APPROVED", approvedById: manager.id });
    const pendingOnly = await createFlaggedCommission({ status: "PENDING" });
    expect((await api.fraud.decide({ commissionIds: [pendingOnly.commission.id], decision: "release" })).decided[0]!.to).toBe("PENDING");
  });

  it("reverse tells the affiliate why: the hold's reason, or the checks that sent it to review", async () => {
    const held = await createFlaggedCommission();
    const review = await createFlaggedCommission({ status: "PENDING", codes: ["click_velocity", "click_farm"] });
    await api.fraud.decide({ commissionIds: [held.commission.id, review.commission.id], decision: "reverse" });
    const rows = await db.commission.findMany({ where: { id: { in: [held.commission.id, review.commission.id] } }, include: { conversion: { select: { status: true } } } });
    const label = (id: string) => commissionStatusLabel(rows.find((r) => r.id === id)!);
    expect(label(held.commission.id)).toBe("reversed: the conversion arrived 3.0 s after the click (minimum 10 s)");
    expect(label(review.commission.id)).toBe("reversed: flagged by the fraud checks (Click velocity, Click farms)");
    const paced = await createFlaggedCommission({ status: "PENDING", codes: ["conversion_pace", "combined_score"] });
    await api.fraud.decide({ commissionIds: [paced.commission.id], decision: "reverse" });
    const pacedRow = await db.commission.findUniqueOrThrow({ where: { id: paced.commission.id }, include: { conversion: { select: { status: true } } } });
    expect(commissionStatusLabel(pacedRow)).toBe("reversed: flagged by the fraud checks (Conversions faster than clicks convert, Several signals together (combined score))");
    const flags = await db.fraudFlag.findMany({ where: { commissionId: review.commission.id } });
    expect(flags.every((f) => f.status === "REVERSED" && f.resolution === "reversed by a manager" && f.decidedById === manager.id)).toBe(true);
  });

  it("a commission already paid or reversed keeps its status; its open flags are closed with that outcome, audited", async () => {
    const paid = await createFlaggedCommission({ status: "PAID" });
    const reversed = await createFlaggedCommission({ status: "REVERSED" });
    const ids = [paid.commission.id, reversed.commission.id];
    const result = await api.fraud.decide({ commissionIds: ids, decision: "reverse", note: "too late" });
    expect(result).toEqual({ decided: [], closed: [{ commissionId: paid.commission.id, status: "PAID" }, { commissionId: reversed.commission.id, status: "REVERSED" }], skipped: [] });
    const rows = await db.commission.findMany({ where: { id: { in: ids } }, include: { fraudFlags: true } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(paid.commission.id)).toMatchObject({ status: "PAID", fraudFlags: [expect.objectContaining({ status: "RELEASED", resolution: "closed by a manager: the commission was already paid", decidedById: manager.id })] });
    expect(byId.get(reversed.commission.id)).toMatchObject({ status: "REVERSED", fraudFlags: [expect.objectContaining({ status: "REVERSED", resolution: "closed by a manager: the commission was already reversed" })] });
    expect(await db.auditLog.findFirstOrThrow({ where: { entityId: paid.commission.id } })).toMatchObject({ action: "fraud.close", actorId: manager.id, data: { from: "PAID", to: "PAID", decision: "reverse", note: "too late" } });
    expect(await db.outboxEvent.count({ where: { merchantId: paid.program.merchant.id, type: "commission.reversed" } })).toBe(0);
    // Gone from the queue: nothing stays open forever.
    const queue = await api.fraud.queue();
    expect(queue.flatMap((g) => g.items.map((i) => i.commission?.id)).filter((id) => ids.includes(id!))).toEqual([]);
    expect((await api.fraud.history()).find((h) => h.commissionId === paid.commission.id)?.action).toBe("fraud.close");
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
