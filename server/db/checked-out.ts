// A pool client checked out for several statements. The pool stops listening to a client's 'error' events while it
// is checked out, so a backend that dies meanwhile (pg_terminate_backend, a database restart) would be an unhandled
// 'error' event: a crash of the whole server. `checkOut` listens for it (the failing statement reports it), and
// `release()` discards a broken connection instead of handing it back to the pool.
import type pg from "pg";

export interface CheckedOut {
  client: pg.PoolClient;
  /** Gives the client back; after a failure (given, or seen on the connection) it is closed instead. */
  release(failure?: unknown): void;
}

export async function checkOut(pool: Pick<pg.Pool, "connect">): Promise<CheckedOut> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error) => void (lost ??= error);
  client.on("error", onError);
  return {
    client,
    release(failure?: unknown) {
      client.off("error", onError);
      const error = lost ?? (failure instanceof Error ? failure : failure === undefined ? undefined : new Error(String(failure)));
      client.release(error);
    },
  };
}
