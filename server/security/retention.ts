// Retention of the logs that grow with traffic: postback_logs past POSTBACK_LOG_RETENTION_DAYS, audit_logs past
// AUDIT_LOG_RETENTION_DAYS, and expired sign-in limiter rows (rate_limits). Deleted in small batches by primary key,
// each batch its own short statement picking the oldest rows through the time index with SKIP LOCKED: postback
// intake (which only inserts into postback_logs, or updates a collapsed refusal's row) never waits behind a long
// delete, and two servers running the job at once split the work instead of queueing on each other.
import type pg from "pg";
import { env } from "../env";
import { onShutdown } from "../lifecycle";
import { logLine } from "../log";

export interface RetentionOptions {
  now?: Date;
  postbackLogDays?: number;
  auditLogDays?: number;
  batchSize?: number;
}

export interface RetentionResult {
  postbackLogs: number;
  auditLogs: number;
  rateLimits: number;
}

const TABLES = {
  postbackLogs: { table: "postback_logs", at: `"receivedAt"` },
  auditLogs: { table: "audit_logs", at: `"createdAt"` },
} as const;

/** Deletes rows older than `before` from one table, `batchSize` at a time, until none is left. */
async function deleteOlder(pool: pg.Pool, which: keyof typeof TABLES, before: Date, batchSize: number): Promise<number> {
  const { table, at } = TABLES[which];
  const sql = `DELETE FROM ${table} WHERE id IN (
    SELECT id FROM ${table} WHERE ${at} < $1 ORDER BY ${at} LIMIT $2 FOR UPDATE SKIP LOCKED)`;
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(sql, [before, batchSize]);
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return total;
  }
}

/** One pass of retention over every table. */
export async function pruneLogs(pool: pg.Pool, options: RetentionOptions = {}): Promise<RetentionResult> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 1_000;
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);
  const postbackLogs = await deleteOlder(pool, "postbackLogs", ago(options.postbackLogDays ?? env().POSTBACK_LOG_RETENTION_DAYS), batchSize);
  const auditLogs = await deleteOlder(pool, "auditLogs", ago(options.auditLogDays ?? env().AUDIT_LOG_RETENTION_DAYS), batchSize);
  // A small table (one row per recently failing account or IP): one statement.
  const { rowCount } = await pool.query(`DELETE FROM rate_limits WHERE expire IS NOT NULL AND expire < $1`, [now.getTime()]);
  return { postbackLogs, auditLogs, rateLimits: rowCount ?? 0 };
}

const EVERY_MS = 3_600_000;

/** Shortly after start and then hourly, in the server process (stopped by the shutdown hooks). */
export function startLogRetention(pool: pg.Pool, log: (line: string) => void = logLine): void {
  const round = async () => {
    try {
      const done = await pruneLogs(pool);
      if (done.postbackLogs || done.auditLogs) log(`[retention] deleted ${done.postbackLogs} postback log rows and ${done.auditLogs} audit log rows past retention`);
    } catch (error) {
      log(`[retention] failed (next run in ${EVERY_MS / 60_000} min): ${(error as Error).message}`);
    }
  };
  const first = setTimeout(() => void round(), 30_000).unref();
  const timer = setInterval(() => void round(), EVERY_MS).unref();
  onShutdown("log retention", () => {
    clearTimeout(first);
    clearInterval(timer);
  }, 60);
}
