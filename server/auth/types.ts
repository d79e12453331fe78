// What a signed-in session carries. The JWT holds exactly these fields (re-read from the account on every session
// read: server/auth/options.ts).
import type { DefaultSession } from "next-auth";
import type { Role } from "../db/generated/enums";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Set for affiliates: every affiliate query is scoped to it. */
  affiliateId: string | null;
  /** Set for merchant users: every merchant query is scoped to it. */
  merchantId: string | null;
}

export interface AppSession {
  user: SessionUser;
  expires: string;
}

/** What authorize() returns and the JWT keeps, on top of next-auth's own id/email/name. */
type RoleClaims = Pick<SessionUser, "role" | "affiliateId" | "merchantId">;

declare module "next-auth" {
  interface Session extends Omit<DefaultSession, "user"> {
    user: SessionUser;
  }
  interface User extends RoleClaims {}
}

declare module "next-auth/jwt" {
  interface JWT extends RoleClaims {
    id: string;
    /** When this session signed in (epoch ms): sessions older than the user's sessionsRevokedAt are over. */
    signedInAt?: number;
    /** The user_sessions row of this sign-in (server/auth/sessions.ts): ended by sign-out or a manager. */
    sid?: string;
  }
}
