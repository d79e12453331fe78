// Joining and accounts through the API: applications (public) and the managers' decisions, invitations, one-time
// set-password links (hashed, single use, expiring), password changes ending the other sessions, recent sign-ins,
// new merchant and manager accounts, access resets, and affiliates' link requests. Bad input: a 400 naming the
// field, and nothing written.
import type { JWT } from "next-auth/jwt";
import { TRPCError } from "@trpc/server";
import { afterAll, describe, expect, it } from "vitest";
import { authOptions, authenticate } from "../auth/options";
import { db } from "../db";
import { FIXTURE_PASSWORD, callerFor, createAffiliate, createManager, createMerchantUser, createMerchant, createOffer, unique } from "../testing/fixtures";
import { type Mail, setMailer } from "./mailer";
import { hashToken } from "./tokens";

const manager = await createManager();
const api = callerFor(manager);
const anonymous = callerFor(null);

const mails: Mail[] = [];
setMailer({ kind: "smtp", send: async (mail) => void mails.push(mail) });
afterAll(() => setMailer(undefined));

const jwt = () => authOptions().callbacks!.jwt!;
const tokenAfter = (token: JWT) => jwt()({ token, user: undefined as never, account: null, trigger: "update" });
async function signInToken(email: string, password: string): Promise<JWT> {
  const user = await authenticate(email, password, "198.51.100.7", "test-agent/1.0");
  if (!user) throw new Error("sign-in failed");
  return (await jwt()({ token: {} as JWT, user, account: null, trigger: "signIn" })) as JWT;
}

const tokenOf = (url: string) => new URL(url).searchParams.get("token")!;

/** The error of a call that must fail: its code, message and field messages. */
async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const cause = error.cause as { issues?: { path: (string | number)[] }[] } | undefined;
    return { code: error.code, message: error.message, fields: (cause?.issues ?? []).map((i) => i.path.join(".")) };
  }
  throw new Error("expected a refusal");
}

const application = (email = `${unique("applicant")}@example.com`) => ({
  name: "Ada Applicant",
  email,
  website: "https://ada.example/blog",
  audience: "Readers of a cycling blog, 20k a month",
  payoutCountry: "de",
  termsAccepted: true as const,
});

describe("applications", () => {
  it("an applicant applies, a manager approves, the link sets their password once, and they sign in", async () => {
    const input = application(`${unique("Ada")}@Example.com`);
    const created = await anonymous.accounts.join(input);
    const stored = await db.affiliateApplication.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored).toMatchObject({ status: "PENDING", email: input.email.toLowerCase(), payoutCountry: "DE", website: "https://ada.example/blog" });
    expect((await api.accounts.applications({})).map((a) => a.id)).toContain(created.id);

    const approved = await api.accounts.approveApplication({ applicationId: created.id });
    expect(approved.link.mailed).toBe(true);
    expect(mails.at(-1)).toMatchObject({ to: input.email.toLowerCase() });
    expect(mails.at(-1)!.text).toContain(approved.link.url);
    const token = tokenOf(approved.link.url);
    // only the hash is stored
    expect(await db.accessToken.count({ where: { tokenHash: token } })).toBe(0);
    expect(await db.accessToken.count({ where: { tokenHash: hashToken(token) } })).toBe(1);
    const user = await db.user.findUniqueOrThrow({ where: { email: input.email.toLowerCase() } });
    expect(user).toMatchObject({ role: "AFFILIATE", affiliateId: approved.affiliateId, passwordSet: false });
    expect(await db.affiliateApplication.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ status: "APPROVED", decidedById: manager.id, affiliateId: approved.affiliateId });
    const audit = await db.auditLog.findFirstOrThrow({ where: { entityType: "affiliate_application", entityId: created.id } });
    expect(audit).toMatchObject({ action: "application.approve", actorId: manager.id });

    expect(await anonymous.accounts.token({ token })).toMatchObject({ valid: true, email: user.email, purpose: "SET_PASSWORD" });
    expect(await authenticate(user.email, "new password 123", null)).toBeNull(); // not set yet
    await anonymous.accounts.setPassword({ token, password: "new password 123", confirm: "new password 123" });
    expect(await authenticate(user.email, "new password 123", null)).toMatchObject({ id: user.id, affiliateId: approved.affiliateId });

    // single use
    expect(await anonymous.accounts.token({ token })).toMatchObject({ valid: false, reason: expect.stringContaining("already used") });
    const reused = await refusal(anonymous.accounts.setPassword({ token, password: "another password 1", confirm: "another password 1" }));
    expect(reused).toMatchObject({ code: "BAD_REQUEST", fields: ["token"] });
    expect(await authenticate(user.email, "another password 1", null)).toBeNull();

    // decided once
    expect(await refusal(api.accounts.approveApplication({ applicationId: created.id }))).toMatchObject({ code: "CONFLICT" });
    expect(await refusal(api.accounts.rejectApplication({ applicationId: created.id, reason: "late" }))).toMatchObject({ code: "CONFLICT" });
  });

  it("an expired link is refused and sets nothing", async () => {
    const created = await anonymous.accounts.join(application());
    const { link } = await api.accounts.approveApplication({ applicationId: created.id });
    const token = tokenOf(link.url);
    await db.accessToken.update({ where: { tokenHash: hashToken(token) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await refusal(anonymous.accounts.setPassword({ token, password: "late password 1", confirm: "late password 1" }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("expired"),
    });
    expect((await db.accessToken.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } })).usedAt).toBeNull();
  });

  it("a rejection needs a reason, and is audited with it", async () => {
    const created = await anonymous.accounts.join(application());
    expect(await refusal(api.accounts.rejectApplication({ applicationId: created.id, reason: "  " }))).toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("reason") });
    expect((await db.affiliateApplication.findUniqueOrThrow({ where: { id: created.id } })).status).toBe("PENDING");
    await api.accounts.rejectApplication({ applicationId: created.id, reason: "Audience outside our markets" });
    expect(await db.affiliateApplication.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ status: "REJECTED", reason: "Audience outside our markets" });
    expect(await db.auditLog.findFirstOrThrow({ where: { entityId: created.id } })).toMatchObject({ action: "application.reject", data: { reason: "Audience outside our markets" } });
    expect(await db.affiliate.count({ where: { email: created.id } })).toBe(0);
  });

  it("bad input names each field and writes nothing; a second pending application for an email is refused", async () => {
    const email = `${unique("bad")}@example.com`;
    const bad = await refusal(anonymous.accounts.join({ ...application(email), website: "not a url", payoutCountry: "Germany", termsAccepted: false as never }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(JSON.parse(bad.message).map((i: { path: string[] }) => i.path.join("."))).toEqual(expect.arrayContaining(["website", "payoutCountry", "termsAccepted"]));
    expect(await db.affiliateApplication.count({ where: { email } })).toBe(0);

    await anonymous.accounts.join(application(email));
    expect(await refusal(anonymous.accounts.join(application(email)))).toMatchObject({ code: "CONFLICT", fields: ["email"] });
    expect(await db.affiliateApplication.count({ where: { email } })).toBe(1);
    // an email that already signs in
    expect(await refusal(anonymous.accounts.join(application(manager.email)))).toMatchObject({ code: "CONFLICT", fields: ["email"] });
  });
});

describe("invitations and new accounts", () => {
  it("a manager invites an affiliate, creates a merchant with its first user and another manager; each sets a password", async () => {
    const invited = await api.accounts.invite({ name: "Ivy Invitee", email: `${unique("ivy")}@example.com` });
    const merchant = await api.accounts.createMerchant({ merchantName: unique("Shop"), defaultCurrency: "usd", name: "Mo Merchant", email: `${unique("mo")}@example.com` });
    const second = await api.accounts.createManager({ name: "Max Manager", email: `${unique("max")}@example.com` });
    for (const { link } of [invited, merchant, second]) await anonymous.accounts.setPassword({ token: tokenOf(link.url), password: "chosen password", confirm: "chosen password" });

    const ivy = await db.user.findFirstOrThrow({ where: { affiliateId: invited.affiliateId } });
    expect(await authenticate(ivy.email, "chosen password", null)).toMatchObject({ role: "AFFILIATE", affiliateId: invited.affiliateId });
    expect(await db.merchant.findUniqueOrThrow({ where: { id: merchant.merchantId } })).toMatchObject({ defaultCurrency: "USD" });
    const mo = await db.user.findUniqueOrThrow({ where: { id: merchant.userId } });
    expect(await authenticate(mo.email, "chosen password", null)).toMatchObject({ role: "MERCHANT", merchantId: merchant.merchantId });
    const max = await db.user.findUniqueOrThrow({ where: { id: second.userId } });
    expect(await authenticate(max.email, "chosen password", null)).toMatchObject({ role: "MANAGER" });
    expect(await db.auditLog.findMany({ where: { actorId: manager.id, action: { in: ["affiliate.invite", "merchant.create", "manager.create"] }, entityId: { in: [invited.affiliateId, merchant.merchantId, second.userId] } } })).toHaveLength(3);
  });

  it("an email already in use is refused with its field and nothing is written", async () => {
    const taken = await createAffiliate();
    const merchantsBefore = await db.merchant.count();
    expect(await refusal(api.accounts.invite({ name: "Dup", email: taken.email }))).toMatchObject({ code: "CONFLICT", fields: ["email"] });
    expect(await refusal(api.accounts.createMerchant({ merchantName: "Dup shop", defaultCurrency: "EUR", name: "Dup", email: taken.email }))).toMatchObject({ code: "CONFLICT", fields: ["email"] });
    expect(await db.merchant.count()).toBe(merchantsBefore);
    const bad = await refusal(api.accounts.createMerchant({ merchantName: "", defaultCurrency: "euro", name: "X", email: "nope" }));
    expect(JSON.parse(bad.message).map((i: { path: string[] }) => i.path[0])).toEqual(expect.arrayContaining(["merchantName", "defaultCurrency", "email"]));
    expect(await db.merchant.count()).toBe(merchantsBefore);
  });

  it("a manager resets a merchant user's access: the old password stops working, their sessions end, the link sets a new one", async () => {
    const shop = await createMerchant();
    const user = await createMerchantUser(shop.id);
    const session = await signInToken(user.email, FIXTURE_PASSWORD);
    const { link } = await api.accounts.resetAccess({ userId: user.id });
    expect(await tokenAfter(session)).toEqual({});
    expect(await authenticate(user.email, FIXTURE_PASSWORD, null)).toBeNull();
    await anonymous.accounts.setPassword({ token: tokenOf(link.url), password: "after the reset", confirm: "after the reset" });
    expect(await authenticate(user.email, "after the reset", null)).toMatchObject({ id: user.id });
    expect(await db.auditLog.count({ where: { action: "user.reset_access", entityId: user.id, actorId: manager.id } })).toBe(1);

    const other = await createManager();
    expect(await refusal(api.accounts.resetAccess({ userId: other.id }))).toMatchObject({ code: "BAD_REQUEST", fields: ["userId"] });
    expect(await authenticate(other.email, FIXTURE_PASSWORD, null)).toMatchObject({ id: other.id });
  });
});

describe("passwords and sign-ins", () => {
  it("a user changes their password: current one required, every other session ends, sign-ins are listed", async () => {
    const affiliate = await createAffiliate();
    const email = affiliate.user!.email;
    const other = await signInToken(email, FIXTURE_PASSWORD);
    const me = callerFor(affiliate.user);

    const wrong = await refusal(me.accounts.changePassword({ currentPassword: "not it", newPassword: "a better password", confirm: "a better password" }));
    expect(wrong).toMatchObject({ code: "BAD_REQUEST", fields: ["currentPassword"] });
    const short = await refusal(me.accounts.changePassword({ currentPassword: FIXTURE_PASSWORD, newPassword: "short", confirm: "short" }));
    expect(JSON.parse(short.message)[0].path).toEqual(["newPassword"]);
    const differ = await refusal(me.accounts.changePassword({ currentPassword: FIXTURE_PASSWORD, newPassword: "a better password", confirm: "a better passw0rd" }));
    expect(JSON.parse(differ.message)[0].path).toEqual(["confirm"]);
    expect(await tokenAfter(other)).toMatchObject({ id: affiliate.user!.id }); // nothing changed yet

    await me.accounts.changePassword({ currentPassword: FIXTURE_PASSWORD, newPassword: "a better password", confirm: "a better password" });
    expect(await tokenAfter(other)).toEqual({});
    expect(await authenticate(email, FIXTURE_PASSWORD, null)).toBeNull();
    const renewed = await signInToken(email, "a better password");
    expect(await tokenAfter(renewed)).toMatchObject({ id: affiliate.user!.id });

    const signIns = await me.accounts.signIns();
    expect(signIns).toHaveLength(2);
    expect(signIns[0]).toMatchObject({ ip: "198.51.100.7", userAgent: "test-agent/1.0" });
    expect(await callerFor(manager).accounts.signIns()).not.toEqual(expect.arrayContaining([expect.objectContaining({ userAgent: "test-agent/1.0" })]));
  });
});

describe("link requests", () => {
  it("an affiliate asks for a link to an offer, a manager approves (the link exists) or rejects with a reason", async () => {
    const affiliate = await createAffiliate();
    const [offer, other] = await Promise.all([createOffer(), createOffer()]);
    const me = callerFor(affiliate.user);
    expect((await me.linkRequests.offers()).find((o) => o.id === offer.id)).toMatchObject({ hasLink: false, requested: false });

    const bad = await refusal(me.linkRequests.create({ offerId: offer.id, destinationUrl: "javascript:alert(1)" }));
    expect(bad.code).toBe("BAD_REQUEST");
    expect(JSON.parse(bad.message)[0].path).toEqual(["destinationUrl"]);
    expect(await db.linkRequest.count({ where: { affiliateId: affiliate.id } })).toBe(0);

    const request = await me.linkRequests.create({ offerId: offer.id, destinationUrl: "https://shop.example/bikes", note: "Cycling blog" });
    expect(await refusal(me.linkRequests.create({ offerId: offer.id, destinationUrl: "https://shop.example/bikes" }))).toMatchObject({ code: "CONFLICT", fields: ["offerId"] });
    const rejected = await me.linkRequests.create({ offerId: other.id, destinationUrl: "https://shop.example/other" });
    expect((await me.linkRequests.offers()).find((o) => o.id === offer.id)).toMatchObject({ requested: true });
    expect((await api.linkRequests.list({})).map((r) => r.id)).toEqual(expect.arrayContaining([request.id, rejected.id]));

    const approved = await api.linkRequests.approve({ requestId: request.id });
    const link = await db.link.findUniqueOrThrow({ where: { id: approved.link.id } });
    expect(link).toMatchObject({ affiliateId: affiliate.id, offerId: offer.id, destinationUrl: "https://shop.example/bikes", active: true });
    expect((await me.links.mine()).map((l) => l.id)).toEqual([link.id]);
    await api.linkRequests.reject({ requestId: rejected.id, reason: "Not for this offer" });
    expect(await me.linkRequests.mine()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: request.id, status: "APPROVED", linkId: link.id }),
        expect.objectContaining({ id: rejected.id, status: "REJECTED", reason: "Not for this offer" }),
      ]),
    );
    expect(await refusal(api.linkRequests.approve({ requestId: rejected.id }))).toMatchObject({ code: "CONFLICT" });
    expect(await db.auditLog.count({ where: { entityType: "link_request", entityId: { in: [request.id, rejected.id] } } })).toBe(2);
  });

  it("a link to an offer open to affiliates is created as it is asked for, audited with no actor", async () => {
    const affiliate = await createAffiliate();
    const offer = await createOffer();
    await db.offer.update({ where: { id: offer.id }, data: { openToAffiliates: true } });
    const request = await callerFor(affiliate.user).linkRequests.create({ offerId: offer.id, destinationUrl: "https://shop.example/open" });
    expect(request.status).toBe("APPROVED");
    const stored = await db.linkRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(stored).toMatchObject({ status: "APPROVED", decidedById: null });
    expect(await db.link.findUniqueOrThrow({ where: { id: stored.linkId! } })).toMatchObject({ affiliateId: affiliate.id, offerId: offer.id, destinationUrl: "https://shop.example/open", active: true });
    expect(await db.auditLog.findFirst({ where: { entityType: "link_request", entityId: request.id } })).toMatchObject({ action: "link_request.approve", actorId: null });
  });
});
