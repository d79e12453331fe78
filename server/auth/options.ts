// next-auth configuration: email + password against users.passwordHash, JWT sessions carrying the role and the
// caller's affiliate/merchant id. Built on first use (not at import) so `next build` needs no secrets.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "../db";
import { env } from "../env";
import { recordSignInIp } from "../fraud/identities";
import { clientIpOfHeaders } from "../http/client-ip";
import { hashPassword, verifyPassword } from "./password";
import type { SessionUser } from "./types";

const credentialsSchema = z.object({ email: z.string().trim().toLowerCase().pipe(z.email()), password: z.string().min(1) });

/** Compared against when the email is unknown, so both failures take the same time (no user enumeration). */
let decoyHash: Promise<string> | undefined;

/**
 * Checks an email and password; the session's user on success, null otherwise. An affiliate's sign-in IP is
 * recorded for the fraud checks (self-referral); a failure to record it never fails the sign-in.
 */
export async function authenticate(email: unknown, password: unknown, ip: string | null = null): Promise<SessionUser | null> {
  const parsed = credentialsSchema.safeParse({ email, password });
  if (!parsed.success) return null;
  const user = await db.user.findUnique({ where: { email: parsed.data.email } });
  const ok = await verifyPassword(parsed.data.password, user?.passwordHash ?? (await (decoyHash ??= hashPassword("decoy"))));
  if (!user || !ok) return null;
  if (user.affiliateId) await recordSignInIp(user.affiliateId, ip).catch((error) => console.error("[auth] sign-in IP not recorded:", (error as Error).message));
  return toSessionUser(user);
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
    session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => authenticate(credentials?.email, credentials?.password, clientIpOfHeaders(req?.headers, env().TRUST_PROXY)),
      }),
    ],
    callbacks: {
      // `user` is only present on sign-in: copy the fields into the token once; later requests read the token.
      jwt: ({ token, user }) => (user ? { ...token, ...toSessionUser(user) } : token),
      session: ({ session, token }) => ({ ...session, user: toSessionUser(token) }),
    },
  });
}
