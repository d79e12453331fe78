// Offer caps through the real postback path: the counter row takes concurrent postbacks one at a time, so a daily
// cap of N accepts exactly N of many parallel postbacks, and every refusal is logged with its reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { recountCapUsage } from "../offers/offers";
import { clickIdFor, createConversion, createProgram, unique } from "../testing/fixtures";
import { capRefusal } from "./caps";
import { type PostbackClient, startPostbackServer } from "./testing";

let api: PostbackClient;
beforeAll(async () => {
  api = await startPostbackServer();
});
afterAll(() => api.close());

const today = () => new Date().toISOString().slice(0, 10);

describe("offer caps", () => {
  it("accepts exactly the daily cap of 30 parallel postbacks; the rest are refused, logged, and write nothing", async () => {
    const { merchant, offer, link } = await createProgram({ offer: { dailyCap: 5 } });
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("cap"), amount: "10.00" })),
    );
    const created = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(created).toHaveLength(5);
    expect(refused).toHaveLength(25);
    for (const a of refused) {
      expect(a.status).toBe(422);
      expect(a.body.error.code).toBe("offer_cap_reached");
      expect(a.body.error.message).toContain("daily cap of 5");
    }
    expect(await db.conversion.count({ where: { offerId: offer.id } })).toBe(5);
    expect(await db.commission.count({ where: { offerId: offer.id } })).toBe(5);
    expect(await db.outboxEvent.count({ where: { merchantId: merchant.id } })).toBe(10);
    const logs = await db.postbackLog.findMany({ where: { merchantId: merchant.id, reasonCode: "offer_cap_reached" } });
    expect(logs).toHaveLength(25);
    expect(logs.every((l) => l.outcome === "REJECTED" && l.httpStatus === 422 && l.message.includes("daily cap of 5") && l.conversionId === null)).toBe(true);
    expect(await db.offerCapUsage.findUnique({ where: { offerId: offer.id } })).toMatchObject({ dayCount: 5, monthCount: 5 });
  });

  it("a retry of an accepted txn_id is still a duplicate (200) once the cap is full, and takes no place", async () => {
    const { merchant, offer, link } = await createProgram({ offer: { dailyCap: 1 } });
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("dup"), amount: "1.00" };
    expect((await api.get(params)).body.status).toBe("created");
    const retry = await api.get(params);
    expect(retry.status).toBe(200);
    expect(retry.body.status).toBe("duplicate");
    expect((await db.offerCapUsage.findUnique({ where: { offerId: offer.id } }))?.dayCount).toBe(1);
  });

  it("parallel duplicates under a cap: one conversion, one place taken", async () => {
    const { merchant, offer, link } = await createProgram({ offer: { dailyCap: 3 } });
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("same"), amount: "1.00" };
    const answers = await Promise.all(Array.from({ length: 10 }, () => api.get(params)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(await db.conversion.count({ where: { offerId: offer.id } })).toBe(1);
    expect((await db.offerCapUsage.findUnique({ where: { offerId: offer.id } }))?.dayCount).toBe(1);
  });

  it("a monthly cap refuses with its own reason; an uncapped offer keeps no counter", async () => {
    const { merchant, offer, link } = await createProgram({ offer: { monthlyCap: 2 } });
    const send = () => api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("m"), amount: "1.00" });
    expect((await send()).status).toBe(200);
    expect((await send()).status).toBe(200);
    const third = await send();
    expect(third.status).toBe(422);
    expect(third.body.error.message).toContain("monthly cap of 2");

    const free = await createProgram();
    expect((await api.get({ token: free.merchant.postbackToken, click_id: clickIdFor(free.link.id), txn_id: unique("f"), amount: "1.00" })).status).toBe(200);
    expect(await db.offerCapUsage.findUnique({ where: { offerId: free.offer.id } })).toBeNull();
    expect(await db.conversion.count({ where: { offerId: offer.id } })).toBe(2);
  });

  it("a cap set later counts the day's earlier conversions", async () => {
    const { offer, link } = await createProgram();
    await createConversion(link);
    await createConversion(link);
    await db.offer.update({ where: { id: offer.id }, data: { dailyCap: 2 } });
    await db.$transaction((tx) => recountCapUsage(tx, offer.id, new Date()));
    expect(await db.offerCapUsage.findUnique({ where: { offerId: offer.id } })).toMatchObject({ dayCount: 2, monthCount: 2 });
  });
});

describe("capRefusal", () => {
  const cap = { dailyCap: 3, monthlyCap: 10, day: "2026-12-08", month: "2026-12-01" };
  it("refuses at the cap of the same day or month only", () => {
    expect(capRefusal(cap, { day: "2026-12-08", dayCount: 2, month: "2026-12-01", monthCount: 9 })).toBeNull();
    expect(capRefusal(cap, { day: "2026-12-08", dayCount: 3, month: "2026-12-01", monthCount: 3 })).toContain("daily cap of 3");
    expect(capRefusal(cap, { day: "2026-12-07", dayCount: 3, month: "2026-12-01", monthCount: 3 })).toBeNull();
    expect(capRefusal(cap, { day: "2026-12-07", dayCount: 3, month: "2026-12-01", monthCount: 10 })).toContain("monthly cap of 10");
    expect(capRefusal({ ...cap, dailyCap: null, monthlyCap: null }, { day: today(), dayCount: 99, month: "2026-12-01", monthCount: 99 })).toBeNull();
  });
});
