// Server-side sessions behind the JWTs: each sign-in writes a user_sessions row whose id rides in the token (`sid`);
// every session read checks it (server/auth/options.ts refreshToken), so sign-out (which ends the row) and a
// manager's "End sessions" (which ends them all and sets users.sessionsRevokedAt) take effect at the next request.
// A token without a row — older than this table, or forged with the secret but never signed in — is signed out.
import { z } from "zod";
import { type Db, db } from "../db";
import { DomainError } from "../errors";

/** The JWT's lifetime (authOptions().session.maxAge): rows older than this are dead and pruned at sign-in. */
export const SESSION_MAX_AGE_S = 7 * 24 * 60 * 60;

/** A new session of this user; also deletes the user's rows past the JWT lifetime, so the table stays small. */
export async function startSession(userId: string): Promise<string> {
  const [row] = await db.$queryRaw<{ id: string }[]>`
    WITH pruned AS (
      DELETE FROM user_sessions WHERE "userId" = ${userId} AND "createdAt" < now() - ${SESSION_MAX_AGE_S}::int * interval '1 second'
    )
    INSERT INTO user_sessions ("userId") VALUES (${userId}) RETURNING id`;
  return row!.id;
}

/** Sign-out: this session is over, whatever copy of its cookie is still around. */
export async function endSession(sid: unknown): Promise<void> {
  if (typeof sid !== "string") return;
  await db.$executeRaw`UPDATE user_sessions SET "endedAt" = now() WHERE id = ${sid} AND "endedAt" IS NULL`;
}

export const endUserSessionsInput = z.object({ userId: z.string().trim().min(1, "Choose a user").max(100) });

/**
 * A manager ends every session of a user (any role, themselves included): each open row is ended and
 * users.sessionsRevokedAt set, so the user is signed out at their next request. Audited with the count.
 */
export async function endUserSessions(client: Db, actorId: string, input: z.output<typeof endUserSessionsInput>) {
  return client.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true } });
    if (!user) throw new DomainError("not_found", "No such user.");
    const ended = await tx.$executeRaw`UPDATE user_sessions SET "endedAt" = now() WHERE "userId" = ${user.id} AND "endedAt" IS NULL`;
    await tx.user.update({ where: { id: user.id }, data: { sessionsRevokedAt: new Date() } });
    await tx.auditLog.create({ data: { actorId, action: "user.sessions_ended", entityType: "user", entityId: user.id, data: { ended } } });
    return { ended };
  });
}

/** Users (at most 100, those signed in first) with their open sessions (signed in within the JWT lifetime, not ended) and last sign-in. */
export async function listUserSessions(client: Db) {
  return client.$queryRaw<{ id: string; email: string; name: string; role: string; openSessions: number; lastSignIn: Date | null }[]>`
    SELECT u.id, u.email, u.name, u.role::text AS role,
           (count(s.id) FILTER (WHERE s."endedAt" IS NULL AND s."createdAt" >= now() - ${SESSION_MAX_AGE_S}::int * interval '1 second'))::int AS "openSessions",
           max(s."createdAt") AS "lastSignIn"
    FROM users u LEFT JOIN user_sessions s ON s."userId" = u.id
    GROUP BY u.id ORDER BY "openSessions" DESC, "lastSignIn" DESC NULLS LAST, u.email LIMIT 100`;
}
