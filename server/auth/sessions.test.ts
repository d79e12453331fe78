// Server-side sessions: sign-out ends the session (a copy of its cookie is dead too), a manager ends every session of
// any user (audited), and a token without a session row is never accepted.
import type { JWT } from "next-auth/jwt";
import { describe, expect, it } from "vitest";
import { db } from "../db";
import { FIXTURE_PASSWORD, callerFor, createManager, createMerchant, createMerchantUser } from "../testing/fixtures";
import { authOptions, authenticate } from "./options";

const manager = await createManager();
const api = callerFor(manager);

/** A sign-in as next-auth runs it: authorize, then the jwt callback with the user. */
async function signIn(email: string): Promise<JWT> {
  const user = await authenticate(email, FIXTURE_PASSWORD, null);
  if (!user) throw new Error("sign-in failed");
  return (await authOptions().callbacks!.jwt!({ token: {} as JWT, user, account: null, trigger: "signIn" })) as JWT;
}

/** What next-auth does on every later session read: the jwt callback with the cookie's token. */
const read = (token: JWT) => authOptions().callbacks!.jwt!({ token, user: undefined as never, account: null, trigger: "update" });

async function merchantUser() {
  const merchant = await createMerchant();
  return createMerchantUser(merchant.id);
}

const audits = (userId: string) => db.auditLog.findMany({ where: { entityType: "user", entityId: userId } });

describe("sessions", () => {
  it("sign-out ends that session server-side (its cookie is dead everywhere); the user's other sessions go on", async () => {
    const user = await merchantUser();
    const laptop = await signIn(user.email);
    const phone = await signIn(user.email);
    expect(laptop.sid).toEqual(expect.any(String));
    expect(laptop.sid).not.toBe(phone.sid);
    expect(await read(laptop)).toMatchObject({ id: user.id, merchantId: user.merchantId });

    await authOptions().events!.signOut!({ token: laptop, session: undefined as never });
    expect(await read(laptop)).toEqual({}); // a copy of the cookie kept after sign-out is refused
    expect(await read(phone)).toMatchObject({ id: user.id });
    expect((await db.userSession.findUniqueOrThrow({ where: { id: laptop.sid! } })).endedAt).toBeInstanceOf(Date);
  });

  it("a token without a session row (from before sessions, or made with a leaked secret) is signed out", async () => {
    const user = await merchantUser();
    const token = await signIn(user.email);
    expect(await read({ ...token, sid: undefined })).toEqual({});
    expect(await read({ ...token, sid: "no-such-session" })).toEqual({});
    const other = await merchantUser();
    expect(await read({ ...token, id: other.id })).toEqual({}); // another user's session id does not carry over
  });

  it("a manager ends every session of a user, audited with the count; the user can sign in again", async () => {
    const user = await merchantUser();
    const [a, b] = [await signIn(user.email), await signIn(user.email)];
    const listed = (await api.manager.userSessions()).find((u) => u.id === user.id);
    expect(listed).toMatchObject({ email: user.email, role: "MERCHANT", openSessions: 2, lastSignIn: expect.any(Date) });

    expect(await api.manager.endUserSessions({ userId: user.id })).toEqual({ ended: 2 });
    expect(await read(a)).toEqual({});
    expect(await read(b)).toEqual({});
    expect((await api.manager.userSessions()).find((u) => u.id === user.id)?.openSessions).toBe(0);
    expect((await audits(user.id)).map((l) => [l.action, l.actorId, l.data])).toEqual([["user.sessions_ended", manager.id, { ended: 2 }]]);

    const again = await signIn(user.email);
    expect(await read(again)).toMatchObject({ id: user.id });
  });

  it("refuses bad input, unknown users and other roles with clear errors, writing nothing", async () => {
    const user = await merchantUser();
    const token = await signIn(user.email);
    await expect(api.manager.endUserSessions({ userId: "" })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Choose a user") });
    await expect(api.manager.endUserSessions({ userId: "no-such-user" })).rejects.toMatchObject({ code: "NOT_FOUND", message: "No such user." });
    await expect(callerFor(user).manager.endUserSessions({ userId: user.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(user).manager.userSessions()).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await read(token)).toMatchObject({ id: user.id });
    expect(await audits(user.id)).toEqual([]);
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionsRevokedAt).toBeNull();
    expect(await db.auditLog.count({ where: { entityType: "user", entityId: "no-such-user" } })).toBe(0);
  });
});
