// "Wake the relays": a NOTIFY on the channel every relay LISTENs on. Sent inside a transaction it is delivered at
// commit, so relays only ever wake for committed rows; outside one, at once. Whoever writes outbox rows (or makes a
// delivery due) calls it in the same transaction.
import type pg from "pg";

export const OUTBOX_CHANNEL = "outbox";

/** The SQL expression, for a statement that is running anyway: `SELECT conv.id, ${WAKE_RELAYS_SQL} FROM conv`. */
export const WAKE_RELAYS_SQL = `pg_notify('${OUTBOX_CHANNEL}', '')`;

/** A pg pool or client, or a Prisma client or transaction. */
type Notifier = Pick<pg.Pool, "query"> | { $executeRawUnsafe(query: string): Promise<number> };

/** Wakes every listening relay when the caller's transaction commits (at once outside a transaction). */
export async function wakeRelays(db: Notifier): Promise<void> {
  const sql = `SELECT ${WAKE_RELAYS_SQL}`;
  if ("$executeRawUnsafe" in db) await db.$executeRawUnsafe(sql);
  else await db.query(sql);
}
