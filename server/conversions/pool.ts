// The postback path's own connection pool (the approval job uses it too). Separate from the app's (Prisma, pages)
// so that page traffic cannot take intake's connections, and so it can carry the time limits a postback needs
// without imposing them on reports and migrations:
//   - connect: waiting for a connection (a new one, or a free one of a busy pool) — then 503;
//   - statement (server side, `statement_timeout` sent at connection start, so it costs no round trip): the
//     database cancels a statement that runs longer, so it never commits after we answered 503;
//   - query (client side): we stop waiting for an answer — longer than the statement limit, so that a database
//     that is reachable always gives up first; this one only fires when the network or the database host stalls;
//   - idle in transaction (server side): a refund whose client vanished mid-transaction releases its row locks.
// What stays unknowable: a COMMIT (or a single-statement write) that succeeded while its answer was lost. We answer
// 503 and the merchant's retry is then recognised as a duplicate (200, the original conversion id).
import pg from "pg";
import { env } from "../env";
import { errorLine } from "../log";

export interface PostbackTimeouts {
  connectMs: number;
  statementMs: number;
  queryMs: number;
  idleInTransactionMs: number;
}

export const POSTBACK_TIMEOUTS: PostbackTimeouts = { connectMs: 3_000, statementMs: 4_000, queryMs: 6_000, idleInTransactionMs: 10_000 };

export function createPostbackPool(connectionString: string, timeouts: PostbackTimeouts = POSTBACK_TIMEOUTS, max = 20): pg.Pool {
  if (timeouts.statementMs >= timeouts.queryMs) throw new Error("the statement timeout must be shorter than the query timeout");
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    // The postback statements are prepared once per connection and always planned generically: planning the context
    // read's joins costs more than running it (~1.5 ms against ~0.5 ms), and every one of its reads is an index probe
    // whatever the parameters. Those probes hit tables the database keeps in memory, where random reads cost about
    // what sequential ones do: with PostgreSQL's default (4) the generic plan would scan a month of sales in time
    // order rather than one affiliate's range for the volume-tier count.
    options: "-c plan_cache_mode=force_generic_plan -c random_page_cost=1.1",
    query_timeout: timeouts.queryMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    application_name: "postbacks",
    // Scripts that send postbacks in-process (the demo seed, benchmarks) exit without closing it.
    allowExitOnIdle: true,
  });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", (error) => errorLine(`[postbacks] idle client error: ${error.message}`));
  return pool;
}

// On globalThis, like the app's pool, so Next's dev reloads do not open new pools.
const globalForPostbacks = globalThis as unknown as { __postbackPool?: pg.Pool };

/** The process's postback pool (created on first use). */
export function postbackPool(): pg.Pool {
  return (globalForPostbacks.__postbackPool ??= createPostbackPool(env().DATABASE_URL));
}

export async function closePostbackPool(): Promise<void> {
  const pool = globalForPostbacks.__postbackPool;
  globalForPostbacks.__postbackPool = undefined;
  await pool?.end();
}
