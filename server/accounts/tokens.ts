// One-time links to set a password. The token is 32 random bytes (base64url) in the link; only its sha256 is stored,
// so a database read does not give access. A token works once (consumed by a conditional UPDATE, so two tabs cannot
// both use it) and until it expires; issuing a new one for a user voids the ones before.
import { createHash, randomBytes } from "node:crypto";
import type { Db, Prisma } from "../db";
import type { AccessTokenPurpose } from "../db/generated/enums";
import { env } from "../env";
import { hashPassword } from "../auth/password";
import { AccountError } from "./errors";
import { deliver } from "./mailer";

type Tx = Prisma.TransactionClient;

export const TOKEN_TTL_HOURS: Record<AccessTokenPurpose, number> = { SET_PASSWORD: 72, RESET_PASSWORD: 24 };

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export function setPasswordUrl(token: string): string {
  const config = env();
  const base = config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`;
  return new URL(`/set-password?token=${encodeURIComponent(token)}`, base).toString();
}

/** A password nobody knows, for accounts whose owner has not set one yet (sign-in with it cannot succeed). */
export const unusablePasswordHash = () => hashPassword(randomBytes(32).toString("base64url"));

/** A new one-time link for `userId` (older unused ones are voided), inside the caller's transaction. */
export async function issueToken(tx: Tx, userId: string, purpose: AccessTokenPurpose, createdById: string | null, now = new Date()) {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + TOKEN_TTL_HOURS[purpose] * 3_600_000);
  await tx.accessToken.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } });
  await tx.accessToken.create({ data: { userId, tokenHash: hashToken(token), purpose, expiresAt, createdById } });
  return { url: setPasswordUrl(token), expiresAt };
}

/**
 * After the transaction that issued the link committed: mails it (SMTP configured) or logs it (development). What
 * the manager's screen shows: the link, and whether it was also mailed.
 */
export async function sendLink(to: string, name: string, link: { url: string; expiresAt: Date }, purpose: AccessTokenPurpose) {
  const subject = purpose === "SET_PASSWORD" ? "Your affiliate program account: set your password" : "Your affiliate program access was reset";
  const text = `Hello ${name},\n\nSet your password here (the link works once, until ${link.expiresAt.toISOString()}):\n${link.url}\n`;
  const mailed = await deliver({ to, subject, text });
  return { ...link, mailed };
}

/** Whom a link is for (the set-password page greets them), or why it cannot be used. */
export async function describeToken(db: Pick<Db, "accessToken">, token: string, now = new Date()) {
  const row = await db.accessToken.findUnique({ where: { tokenHash: hashToken(token) }, select: { usedAt: true, expiresAt: true, purpose: true, user: { select: { email: true, name: true } } } });
  if (!row) return { valid: false as const, reason: "This link is not valid. Ask your program manager for a new one." };
  if (row.usedAt) return { valid: false as const, reason: "This link was already used. Sign in, or ask your program manager for a new one." };
  if (row.expiresAt <= now) return { valid: false as const, reason: "This link has expired. Ask your program manager for a new one." };
  return { valid: true as const, email: row.user.email, name: row.user.name, purpose: row.purpose };
}

/**
 * Sets the password of the link's user and uses the link up. Every session the user held before ends (a reset is
 * often about a password someone else knows). Refused, with nothing written, when the link is unknown, used or
 * expired.
 */
export async function consumeToken(db: Db, token: string, password: string, now = new Date()) {
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const [used] = await tx.$queryRaw<{ userId: string }[]>`
      UPDATE access_tokens SET "usedAt" = ${now} WHERE "tokenHash" = ${hashToken(token)} AND "usedAt" IS NULL AND "expiresAt" > ${now}
      RETURNING "userId"`;
    if (!used) {
      const why = await describeToken(tx, token, now);
      throw new AccountError("invalid", why.valid ? "This link cannot be used now; try again." : why.reason, "token");
    }
    const user = await tx.user.update({ where: { id: used.userId }, data: { passwordHash, passwordSet: true, sessionsRevokedAt: now }, select: { id: true, email: true } });
    await tx.auditLog.create({ data: { actorId: user.id, action: "user.set_password", entityType: "user", entityId: user.id, data: {} } });
    return { email: user.email };
  });
}
