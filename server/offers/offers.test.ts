// Offers managed in the app, through tRPC as merchants and managers: create, edit, pause, resume, archive; the
// shared zod schema's 400s naming the field with nothing written; another merchant's offer refused; audits; a
// commission keeping its calculation after an edit; paused and archived offers' links leaving the /go cache.
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { ZodError } from "zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { env } from "../env";
import { LinkCache } from "../tracking/link-cache";
import { startLinkSync } from "../tracking/link-sync";
import { type PostbackClient, startPostbackServer } from "../conversions/testing";
import { callerFor, clickIdFor, createManager, createProgram, unique } from "../testing/fixtures";
import { offerFormSchema } from "./schema";

const form = (over: Record<string, unknown> = {}) => ({
  name: unique("Spring sale"),
  destinationUrl: "https://shop.example/spring",
  payoutModel: "CPA" as const,
  currency: "EUR",
  rate: "8.50",
  attributionWindowDays: 30,
  holdingPeriodDays: 14,
  dailyCap: null as number | null,
  monthlyCap: null as number | null,
  openToAffiliates: false,
  ...over,
});

async function badRequest(promise: Promise<unknown>): Promise<Record<string, string>> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  const trpcError = error as TRPCError;
  expect(getHTTPStatusCodeFromError(trpcError)).toBe(400);
  expect(trpcError.cause).toBeInstanceOf(ZodError);
  return Object.fromEntries((trpcError.cause as ZodError).issues.map((i) => [i.path.join("."), i.message]));
}

/** Polls until `check` holds, for at most 2 s. */
async function until(check: () => boolean): Promise<void> {
  const since = Date.now();
  while (!check()) {
    if (Date.now() - since > 2_000) throw new Error("not true within 2 s");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const audits = (offerId: string) => db.auditLog.findMany({ where: { entityType: "offer", entityId: offerId }, orderBy: { createdAt: "asc" } });

let api: PostbackClient;
beforeAll(async () => {
  api = await startPostbackServer();
});
afterAll(() => api.close());

describe("merchants manage their own offers", () => {
  it("creates an offer with the typed terms, audited", async () => {
    const { merchant, merchantUser } = await createProgram();
    const created = await callerFor(merchantUser).merchant.createOffer(form({ dailyCap: 3, monthlyCap: 50, openToAffiliates: true }));
    expect(created).toMatchObject({ merchantId: merchant.id, payoutModel: "CPA", cpaAmountMinor: 850, revshareBps: null, currency: "EUR", dailyCap: 3, monthlyCap: 50, openToAffiliates: true, active: true, status: "active", destinationUrl: "https://shop.example/spring" });
    const [audit] = await audits(created.id);
    expect(audit).toMatchObject({ actorId: merchantUser.id, action: "offer.created" });
    const list = await callerFor(merchantUser).merchant.manageableOffers();
    expect(list.map((o) => o.id)).toContain(created.id);
  });

  it("refuses bad input with a 400 naming each field, and writes nothing", async () => {
    const { merchant, merchantUser } = await createProgram();
    const before = await db.offer.count({ where: { merchantId: merchant.id } });
    const auditsBefore = await db.auditLog.count({ where: { actorId: merchantUser.id } });
    const caller = callerFor(merchantUser).merchant;
    expect(await badRequest(caller.createOffer(form({ destinationUrl: "javascript:alert(1)" })))).toHaveProperty("destinationUrl");
    expect(await badRequest(caller.createOffer(form({ name: "  " })))).toHaveProperty("name");
    expect(await badRequest(caller.createOffer(form({ dailyCap: 0 })))).toHaveProperty("dailyCap");
    expect(await badRequest(caller.createOffer(form({ attributionWindowDays: 1.5 })))).toHaveProperty("attributionWindowDays");
    expect(await badRequest(caller.createOffer(form({ currency: "XXX" })))).toHaveProperty("currency");
    expect(await badRequest(caller.createOffer(form({ rate: "8.505" })))).toMatchObject({ rate: expect.stringContaining("at most 2 decimals") });
    expect(await badRequest(caller.createOffer(form({ payoutModel: "REVSHARE", rate: "120" })))).toMatchObject({ rate: expect.stringContaining("0 to 100") });
    expect(await badRequest(caller.createOffer(form({ dailyCap: 10, monthlyCap: 5 })))).toHaveProperty("monthlyCap");
    expect(await db.offer.count({ where: { merchantId: merchant.id } })).toBe(before);
    expect(await db.auditLog.count({ where: { actorId: merchantUser.id } })).toBe(auditsBefore);
  });

  it("edits apply to new conversions only: a commission keeps its calculation", async () => {
    const { merchant, merchantUser, offer, link } = await createProgram({ offer: { cpaAmountMinor: 1000 } });
    const send = () => api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("t"), amount: "20.00" });
    expect((await send()).status).toBe(200);
    const updated = await callerFor(merchantUser).merchant.updateOffer({ id: offer.id, ...form({ name: offer.name, rate: "12.00", holdingPeriodDays: 0, destinationUrl: "https://shop.example/new" }) });
    expect(updated.cpaAmountMinor).toBe(1200);
    expect((await send()).status).toBe(200);
    const commissions = await db.commission.findMany({ where: { offerId: offer.id }, orderBy: { createdAt: "asc" } });
    expect(commissions.map((c) => c.amountMinor)).toEqual([1000, 1200]);
    expect(commissions[0]!.calculation).toContain("10.00");
    const audit = (await audits(offer.id)).find((a) => a.action === "offer.updated");
    expect(audit?.data).toMatchObject({ before: { cpaAmountMinor: 1000 }, after: { cpaAmountMinor: 1200, destinationUrl: "https://shop.example/new" } });
    // The same terms again change nothing and write no audit.
    await callerFor(merchantUser).merchant.updateOffer({ id: offer.id, ...form({ name: offer.name, rate: "12.00", holdingPeriodDays: 0, destinationUrl: "https://shop.example/new" }) });
    expect((await audits(offer.id)).filter((a) => a.action === "offer.updated")).toHaveLength(1);
  });

  it("refuses another merchant's offer and leaves it as it was", async () => {
    const mine = await createProgram();
    const theirs = await createProgram();
    const before = await db.offer.findUniqueOrThrow({ where: { id: theirs.offer.id } });
    const caller = callerFor(mine.merchantUser).merchant;
    await expect(caller.updateOffer({ id: theirs.offer.id, ...form() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.setOfferStatus({ id: theirs.offer.id, action: "pause" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(caller.setOfferStatus({ id: theirs.offer.id, action: "archive" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await db.offer.findUniqueOrThrow({ where: { id: theirs.offer.id } })).toEqual(before);
    expect(await audits(theirs.offer.id)).toHaveLength(0);
  });

  it("pauses, resumes and archives (final), each audited once; the offer's links leave and rejoin the /go cache", async () => {
    const { merchantUser, offer, link } = await createProgram();
    const caller = callerFor(merchantUser).merchant;
    const cache = new LinkCache();
    const sync = await startLinkSync(cache, { pool: getPool(), databaseUrl: env().DATABASE_URL, resyncMs: 600_000, log: () => {} });
    try {
      await until(() => !!cache.get(link.slug));
      expect((await caller.setOfferStatus({ id: offer.id, action: "pause" })).status).toBe("paused");
      await until(() => !cache.get(link.slug)); // through the offers trigger's NOTIFY, not a resync
      expect((await caller.setOfferStatus({ id: offer.id, action: "pause" })).status).toBe("paused");
      expect((await caller.setOfferStatus({ id: offer.id, action: "resume" })).status).toBe("active");
      await until(() => !!cache.get(link.slug));
      expect((await caller.setOfferStatus({ id: offer.id, action: "archive" })).status).toBe("archived");
      await until(() => !cache.get(link.slug));
    } finally {
      await sync.stop();
    }
    await expect(caller.setOfferStatus({ id: offer.id, action: "resume" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(caller.updateOffer({ id: offer.id, ...form() })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await audits(offer.id)).map((a) => a.action)).toEqual(["offer.paused", "offer.resumed", "offer.archived"]);
    expect((await caller.manageableOffers()).find((o) => o.id === offer.id)?.status).toBe("archived");
  });

  it("refuses a change of model or currency while tiers exist", async () => {
    const { merchantUser, offer } = await createProgram({ offer: { tiers: [{ minConversions: 5, cpaAmountMinor: 1500 }] } });
    await expect(callerFor(merchantUser).merchant.updateOffer({ id: offer.id, ...form({ currency: "USD" }) })).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await db.offer.findUniqueOrThrow({ where: { id: offer.id } })).currency).toBe("EUR");
  });
});

describe("managers manage every merchant's offers", () => {
  it("create for a merchant, edit caps (re-counted), pause, list across merchants", async () => {
    const [manager, program] = await Promise.all([createManager(), createProgram()]);
    const caller = callerFor(manager).offers;
    const created = await caller.create({ merchantId: program.merchant.id, ...form({ payoutModel: "REVSHARE", rate: "12.5", currency: "USD" }) });
    expect(created).toMatchObject({ merchantId: program.merchant.id, revshareBps: 1250, cpaAmountMinor: null, currency: "USD" });
    const capped = await caller.update({ id: program.offer.id, ...form({ name: program.offer.name, rate: "10.00", dailyCap: 7 }) });
    expect(capped.dailyCap).toBe(7);
    expect(await db.offerCapUsage.findUnique({ where: { offerId: program.offer.id } })).toMatchObject({ dayCount: 0 });
    expect((await caller.setStatus({ id: created.id, action: "pause" })).status).toBe("paused");
    const list = await caller.list({ merchantId: program.merchant.id });
    expect(list.map((o) => o.id).sort()).toEqual([program.offer.id, created.id].sort());
    expect((await caller.merchants()).map((m) => m.id)).toContain(program.merchant.id);
    expect((await audits(created.id)).map((a) => a.actorId)).toEqual([manager.id, manager.id]);
  });

  it("refuses an unknown merchant and bad input, writing nothing", async () => {
    const manager = await createManager();
    const count = await db.offer.count();
    await expect(callerFor(manager).offers.create({ merchantId: "no-such-merchant", ...form() })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await badRequest(callerFor(manager).offers.create({ merchantId: "", ...form({ holdingPeriodDays: -1 }) }))).toHaveProperty("holdingPeriodDays");
    expect(await db.offer.count()).toBe(count);
  });

  it("the same schema serves the browser: each field's message", () => {
    const result = offerFormSchema.safeParse(form({ name: "", destinationUrl: "ftp://x", attributionWindowDays: 0 }));
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["name", "destinationUrl", "attributionWindowDays"]));
  });
});
