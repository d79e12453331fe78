// next-auth configuration: email + password against users.passwordHash, JWT sessions carrying the role and the
// caller's affiliate/merchant id. Built on first use (not at import) so `next build` needs no secrets.
// A session is only as good as the account behind it: every session read re-reads the user (one primary-key
// query), so a deleted user or a suspended affiliate is signed out at their next request, and a changed role or
// name applies at once. Each sign-in is a user_sessions row (server/auth/sessions.ts) whose id the token carries:
// sign-out ends it server-side, so a copied cookie dies with it. A suspension, or a manager's "End sessions",
// also revokes the sessions signed in before it (users.sessionsRevokedAt), so reactivating the account does not
// bring them back: the user signs in again. A password change, a password set through a one-time link and a
// manager's access reset revoke them the same way (server/accounts). Each successful sign-in is recorded (sign_ins:
// the user's recent sign-ins). (Server components cannot rewrite the cookie, so caching the check in the token would
// not save the read.)
import type { NextAuthOptions } from "next-auth";
import type { JWT } from "next-auth/jwt";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "../db";
import { env } from "../env";
import { recordSignIn } from "../accounts/users";
import { recordSignInIp } from "../fraud/identities";
import { clientIpOfHeaders } from "../http/client-ip";
import { isHttps } from "../http/security-headers";
import { ACCOUNT_SUSPENDED } from "./errors";
import { hashPassword, verifyPassword } from "./password";
import { type SignInThrottle, signInThrottle } from "./throttle";
import { SESSION_MAX_AGE_S, endSession, startSession } from "./sessions";
import type { SessionUser } from "./types";
import { errorLine } from "../log";

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().pipe(z.email()), password: z.string().min(1) });

/** Compared against when the email is unknown, so both failures take the same time (no user enumeration). */
let decoyHash: Promise<string> | undefined;

/**
 * Checks an email and password; the session's user on success, null otherwise. A suspended affiliate with the
 * right password gets an Error(ACCOUNT_SUSPENDED), which next-auth hands to the sign-in form; so does a sign-in
 * refused by the limits (SignInLocked, throttle.ts). An affiliate's
 * sign-in IP is recorded for the fraud checks (self-referral); a failure to record it never fails the sign-in.
 */
export async function authenticate(
  email: unknown,
  password: unknown,
  ip: string | null = null,
  userAgent: string | null = null,
  throttle: SignInThrottle | null = signInThrottle(),
): Promise<SessionUser | null> {
  const parsed = credentialsSchema.safeParse({ email, password });
  if (!parsed.success) return null;
  await throttle?.before(parsed.data.email, ip); // throws SignInLocked while locked; waits the progressive delay
  const user = await db.user.findUnique({ where: { email: parsed.data.email }, include: { affiliate: { select: { active: true } } } });
  const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? (await (decoyHash ??= hashPassword("decoy"))));
  if (!user || !ok) {
    await throttle?.failed(parsed.data.email, ip);
    return null;
  }
  await throttle?.succeeded(parsed.data.email);
  if (user.affiliate && !user.affiliate.active) throw new Error(ACCOUNT_SUSPENDED);
  await recordSignIn(db, user.id, ip, userAgent).catch((error) => errorLine(`[auth] sign-in not recorded: ${(error as Error).message}`));
  if (user.affiliateId) await recordSignInIp(user.affiliateId, ip).catch((error) => errorLine(`[auth] sign-in IP not recorded: ${(error as Error).message}`));
  return toSessionUser(user);
}

/**
 * A later request's token, re-read from the account: the current fields, or an empty token (no user: signed out)
 * when the user is gone, their affiliate account is suspended, this session was signed out or ended (or has no
 * session row), or their sessions were revoked after this one signed in.
 */
export async function refreshToken(token: JWT): Promise<JWT | Record<string, never>> {
  if (typeof token.id !== "string" || typeof token.sid !== "string") return {};
  const [row] = await db.$queryRaw<(SessionUser & { affiliateActive: boolean | null; sessionsRevokedAt: Date | null; sessionOpen: boolean })[]>`
    SELECT u.id, u.email, u.name, u.role::text AS role, u."affiliateId", u."merchantId", u."sessionsRevokedAt",
           a.active AS "affiliateActive", (s."endedAt" IS NULL) AS "sessionOpen"
    FROM users u LEFT JOIN affiliates a ON a.id = u."affiliateId"
    JOIN user_sessions s ON s.id = ${token.sid} AND s."userId" = u.id
    WHERE u.id = ${token.id}`;
  if (!row || row.affiliateActive === false || !row.sessionOpen) return {};
  if (row.sessionsRevokedAt && (token.signedInAt ?? 0) <= row.sessionsRevokedAt.getTime()) return {};
  return { ...token, ...toSessionUser(row) };
}

function userAgentOf(headers: Record<string, unknown> | undefined): string | null {
  const value = headers?.["user-agent"];
  return typeof value === "string" ? value : null;
}

type UserLike = Omit<SessionUser, "email" | "name"> & { email?: string | null; name?: string | null };

/** Exactly the session's fields (a user row or a token carries more that must not leak into the cookie). */
export function toSessionUser(user: UserLike): SessionUser {
  const { id, email, name, role, affiliateId, merchantId } = user;
  return { id, email: email ?? "", name: name ?? "", role, affiliateId: affiliateId ?? null, merchantId: merchantId ?? null };
}

let options: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  return (options ??= {
    secret: env().NEXTAUTH_SECRET,
    // Secure (and __Secure- prefixed) cookies whenever the public URL is https; production on http is warned about
    // at start (server/bootstrap.ts startupWarnings).
    useSecureCookies: isHttps(process.env.NEXTAUTH_URL),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) =>
          authenticate(credentials?.email, credentials?.password, clientIpOfHeaders(req?.headers, env().TRUST_PROXY), userAgentOf(req?.headers)),
      }),
    ],
    callbacks: {
      // `user` is only present on sign-in: its fields go into the token; later reads re-check the account.
      jwt: async ({ token, user }) =>
        user ? { ...token, ...toSessionUser(user), signedInAt: Date.now(), sid: await startSession(user.id) } : ((await refreshToken(token)) as JWT),
      session: ({ session, token }) => ({ ...session, user: toSessionUser(token) }),
    },
    // Sign-out ends the session server-side (the cookie's deletion alone would leave copies of it valid).
    events: { signOut: ({ token }) => endSession(token?.sid) },
  });
}
