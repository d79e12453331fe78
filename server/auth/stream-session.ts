// The session of a request our own server answers outside Next (the live streams, server/http/trpc-stream.ts): the
// next-auth JWT cookie decoded with NEXTAUTH_SECRET, then re-read from the account exactly as every Next request
// does (refreshToken). If the database cannot be reached, a session that was confirmed in the last 10 minutes is
// accepted as it was: an open operations page must keep reconnecting while the database is down (it shows that).
import { getToken, type JWT } from "next-auth/jwt";
import { env } from "../env";
import { refreshToken, toSessionUser } from "./options";
import type { AppSession, SessionUser } from "./types";

const CONFIRMED_FOR_MS = 10 * 60_000;
const confirmed = new Map<string, { user: SessionUser; at: number }>();

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

export async function sessionOfCookies(
  cookieHeader: string | undefined,
  refresh: (token: JWT) => Promise<JWT | Record<string, never>> = refreshToken,
): Promise<AppSession | null> {
  const cookies = parseCookies(cookieHeader);
  if (![...cookies.keys()].some((name) => name.includes("next-auth.session-token"))) return null;
  const token = await getToken({ req: { cookies, headers: {} } as never, secret: env().NEXTAUTH_SECRET, logger: { error: () => {}, warn: () => {}, debug: () => {} } as never });
  if (!token || typeof token.id !== "string") return null;
  const key = `${token.id}:${token.signedInAt ?? 0}`;
  let user: SessionUser;
  try {
    const fresh = await refresh(token);
    if (typeof fresh.id !== "string") {
      confirmed.delete(key);
      return null;
    }
    user = toSessionUser(fresh as JWT);
    if (confirmed.size > 10_000) confirmed.clear();
    confirmed.set(key, { user, at: Date.now() });
  } catch (error) {
    const known = confirmed.get(key);
    if (!known || Date.now() - known.at > CONFIRMED_FOR_MS) throw error;
    user = known.user;
  }
  const expires = typeof token.exp === "number" ? new Date(token.exp * 1000).toISOString() : new Date(Date.now() + 3_600_000).toISOString();
  return { user, expires };
}
