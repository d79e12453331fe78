// Suspending an affiliate through the managers' API, and what it does to their access: sign-in refused after the
// right password, a session they hold ends at its next read (and stays over), reactivation lets them sign in again.
// Audited, with a reason.
import type { JWT } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { ACCOUNT_SUSPENDED } from "../auth/errors";
import { authOptions, authenticate } from "../auth/options";
import { db } from "../db";
import { FIXTURE_PASSWORD, callerFor, createAffiliate, createLink, createManager, unique } from "../testing/fixtures";

const manager = await createManager();
const api = callerFor(manager);

const jwt = () => authOptions().callbacks!.jwt!;

/** What next-auth does on every session read after sign-in: the jwt callback with the cookie's token. */
async function tokenAfter(token: JWT): Promise<Partial<JWT>> {
  return jwt()({ token, user: undefined as never, account: null, trigger: "update" });
}

/** A sign-in as next-auth runs it: authorize, then the jwt callback with the user. */
async function signInToken(email: string): Promise<JWT> {
  const user = await authenticate(email, FIXTURE_PASSWORD, null);
  if (!user) throw new Error("sign-in failed");
  return (await jwt()({ token: {} as JWT, user, account: null, trigger: "signIn" })) as JWT;
}

async function signedInAffiliate() {
  const affiliate = await createAffiliate({ name: unique("Suspendable") });
  return { affiliate, token: await signInToken(affiliate.user!.email) };
}

const audits = (affiliateId: string) => db.auditLog.findMany({ where: { entityType: "affiliate", entityId: affiliateId }, orderBy: { createdAt: "asc" } });

describe("affiliate suspension", () => {
  it("ends the access of a suspended affiliate, lets them sign in again once reactivated, audited with the reason", async () => {
    const { affiliate, token } = await signedInAffiliate();
    expect(await tokenAfter(token)).toMatchObject({ id: token.id, affiliateId: affiliate.id, role: "AFFILIATE" });

    expect(await api.manager.setAffiliateActive({ affiliateId: affiliate.id, active: false, reason: "Cookie stuffing on coupon sites" })).toEqual({
      affiliateId: affiliate.id, active: false, changed: true,
    });
    expect(await tokenAfter(token)).toEqual({}); // no user: the session is over
    await expect(authenticate(affiliate.user!.email, FIXTURE_PASSWORD, "203.0.113.40")).rejects.toThrow(ACCOUNT_SUSPENDED);
    expect(await authenticate(affiliate.user!.email, "wrong password", null)).toBeNull(); // a wrong password learns nothing
    expect((await db.affiliate.findUniqueOrThrow({ where: { id: affiliate.id } })).signInIps).toEqual([]); // refused: nothing recorded

    // Suspending again changes nothing and writes nothing.
    expect((await api.manager.setAffiliateActive({ affiliateId: affiliate.id, active: false })).changed).toBe(false);

    await api.manager.setAffiliateActive({ affiliateId: affiliate.id, active: true });
    expect(await tokenAfter(token)).toEqual({}); // the session from before the suspension stays over
    const again = await signInToken(affiliate.user!.email); // signing in again works
    expect(await tokenAfter(again)).toMatchObject({ id: token.id, affiliateId: affiliate.id, role: "AFFILIATE" });

    expect((await audits(affiliate.id)).map((a) => [a.action, a.actorId, a.data])).toEqual([
      ["affiliate.suspend", manager.id, { reason: "Cookie stuffing on coupon sites" }],
      ["affiliate.reactivate", manager.id, { reason: null }],
    ]);
  });

  it("a session follows the account: a renamed user's token is updated, a deleted user's is emptied", async () => {
    const { affiliate, token } = await signedInAffiliate();
    await db.user.update({ where: { id: token.id }, data: { name: "Renamed Affiliate" } });
    expect(await tokenAfter(token)).toMatchObject({ name: "Renamed Affiliate", affiliateId: affiliate.id });
    await db.user.delete({ where: { id: token.id } });
    expect(await tokenAfter(token)).toEqual({});
    expect(await tokenAfter({} as JWT)).toEqual({});
  });

  it("refuses bad input and unknown affiliates with clear errors, writing nothing", async () => {
    const affiliate = await createAffiliate();
    await expect(api.manager.setAffiliateActive({ affiliateId: affiliate.id, active: false, reason: "x".repeat(501) })).rejects.toMatchObject({
      code: "BAD_REQUEST", message: expect.stringContaining("A reason has at most 500 characters"),
    });
    await expect(api.manager.setAffiliateActive({ affiliateId: "no-such-affiliate", active: false })).rejects.toMatchObject({
      code: "NOT_FOUND", message: "That affiliate no longer exists.",
    });
    expect((await db.affiliate.findUniqueOrThrow({ where: { id: affiliate.id } })).active).toBe(true);
    expect(await audits(affiliate.id)).toEqual([]);
  });

  it("lists affiliates by name or email and status, suspended first, with their login and live links", async () => {
    const tag = unique("listed").toLowerCase();
    const active = await createAffiliate({ name: `${tag} Active` });
    const suspended = await createAffiliate({ name: `${tag} Suspended`, withUser: false });
    await createLink({ affiliateId: active.id });
    await createLink({ affiliateId: active.id, active: false });
    await api.manager.setAffiliateActive({ affiliateId: suspended.id, active: false });

    const all = await api.manager.affiliates({ search: tag });
    expect(all.total).toBe(2);
    expect(all.affiliates.map((a) => [a.name, a.active, a.login, a.activeLinks])).toEqual([
      [`${tag} Suspended`, false, null, 0],
      [`${tag} Active`, true, active.user!.email, 1],
    ]);
    expect((await api.manager.affiliates({ search: active.email.toUpperCase(), status: "active" })).affiliates.map((a) => a.id)).toEqual([active.id]);
    expect((await api.manager.affiliates({ search: tag, status: "suspended" })).affiliates.map((a) => a.id)).toEqual([suspended.id]);
  });
});

describe("affiliate choices (forms pick among thousands by searching)", () => {
  it("lists at most 50 matches by name, says how many match, and always includes the selected one", async () => {
    const tag = unique("Picker");
    const created = [];
    for (let i = 0; i < 55; i++) created.push(await createAffiliate({ name: `${tag} ${String(i).padStart(2, "0")}` }));
    const page = await api.manager.affiliateChoices({ search: tag });
    expect(page.total).toBe(55);
    expect(page.shown).toBe(50);
    expect(page.choices.map((c) => c.name)).toEqual(created.slice(0, 50).map((a) => a.name));

    const last = created.at(-1)!;
    const withSelected = await api.manager.affiliateChoices({ search: tag, selected: last.id });
    expect(withSelected.choices[0]).toEqual({ id: last.id, name: last.name });
    expect(withSelected.choices).toHaveLength(51);

    const one = await api.manager.affiliateChoices({ search: `${tag} 07` });
    expect(one).toMatchObject({ total: 1, choices: [{ id: created[7]!.id }] });
  });

  it("refuses a search longer than 100 characters, and is for managers only", async () => {
    await expect(api.manager.affiliateChoices({ search: "x".repeat(101) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const affiliate = await createAffiliate();
    await expect(callerFor(affiliate.user!).manager.affiliateChoices({})).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
