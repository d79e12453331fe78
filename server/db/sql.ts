// Plain node-postgres helpers the domains share (conversions, fraud, payouts), so no domain imports another for
// them. No domain knowledge here.
import type pg from "pg";

export type Queryable = Pick<pg.ClientBase, "query">;

/** `name` makes node-postgres prepare the statement once per connection (saves planning the context read's joins). */
export function statement(text: string, values: unknown[], name?: string): pg.QueryConfig {
  return { text, values, name };
}

/** Runs `work` in a transaction on `client`; rolls back on any error (the caller turns errors into responses). */
export async function inTransaction<T>(client: Queryable, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {}); // a dead connection has nothing left to roll back
    throw error;
  }
}
