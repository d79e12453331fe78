// The clicks table's months (migration 20261204100000): the app keeps two months ahead of the clock, so a click
// always has a partition to land in, and drops whole months once they are past CLICK_RETENTION_DAYS — a DETACH
// CONCURRENTLY and a DROP of the detached table, never a DELETE, and the click sink's writes never wait on it. The
// rollups keep the dropped months' counts (dashboards' history outlives the raw rows).
import type pg from "pg";
import { getPool } from "../db";
import { env } from "../env";
import { onShutdown } from "../lifecycle";
import { logLine } from "../log";

const MONTHS_AHEAD = 2;
/** How far back months are created too (backdated imports, the demo seed's 30 days), within the retention. */
const DAYS_BEHIND = 90;
const EVERY_MS = 6 * 60 * 60 * 1000;
const PARTITION_NAME = /^clicks_p(\d{4})_(\d{2})$/;

export interface ClickPartition {
  name: string;
  from: Date;
  /** Exclusive. */
  to: Date;
  /** A DETACH CONCURRENTLY that was interrupted (finished by the next round). */
  detaching: boolean;
}

export async function listClickPartitions(pool: Pick<pg.Pool, "query"> = getPool()): Promise<ClickPartition[]> {
  const { rows } = await pool.query<{ name: string; detaching: boolean }>(
    `SELECT c.relname AS name, i.inhdetachpending AS detaching FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'clicks'::regclass ORDER BY c.relname`,
  );
  return rows.flatMap(({ name, detaching }) => {
    const match = PARTITION_NAME.exec(name);
    if (!match) return [];
    const [year, month] = [Number(match[1]), Number(match[2]) - 1];
    return [{ name, from: new Date(Date.UTC(year, month, 1)), to: new Date(Date.UTC(year, month + 1, 1)), detaching }];
  });
}

/** Creates the missing months from DAYS_BEHIND back to MONTHS_AHEAD ahead; returns how many were made. */
export async function ensureClickPartitions(pool: Pick<pg.Pool, "query"> = getPool(), now = new Date(), retentionDays = env().CLICK_RETENTION_DAYS): Promise<number> {
  const first = new Date(now.getTime() - Math.min(DAYS_BEHIND, retentionDays - 31) * 86_400_000).toISOString().slice(0, 10);
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + MONTHS_AHEAD, 1)).toISOString().slice(0, 10);
  const { rows } = await pool.query<{ made: number }>(`SELECT ensure_click_partitions($1::date, $2::date) AS made`, [first, last]);
  return rows[0]!.made;
}

/** Drops every month that ended more than `retentionDays` ago; returns their names. */
export async function dropExpiredClickPartitions(pool: Pick<pg.Pool, "query"> = getPool(), { now = new Date(), retentionDays = env().CLICK_RETENTION_DAYS } = {}): Promise<string[]> {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  const dropped: string[] = [];
  for (const partition of await listClickPartitions(pool)) {
    if (partition.to.getTime() > cutoff) continue;
    // CONCURRENTLY: inserts into other months go on meanwhile (it cannot run inside a transaction).
    await pool.query(`ALTER TABLE clicks DETACH PARTITION ${partition.name} ${partition.detaching ? "FINALIZE" : "CONCURRENTLY"}`);
    await pool.query(`DROP TABLE ${partition.name}`);
    dropped.push(partition.name);
  }
  return dropped;
}

/** At start and every few hours: months ahead, expired months dropped. */
export async function startClickPartitionMaintenance(log: (line: string) => void = logLine): Promise<void> {
  const round = async () => {
    try {
      const made = await ensureClickPartitions();
      const dropped = await dropExpiredClickPartitions();
      if (made || dropped.length) log(`[clicks] partitions: ${made} month(s) created ahead${dropped.length ? `, dropped past retention: ${dropped.join(", ")}` : ""}`);
    } catch (error) {
      log(`[clicks] partition maintenance failed (retrying in ${EVERY_MS / 3_600_000} h): ${(error as Error).message}`);
    }
  };
  await round();
  const timer = setInterval(() => void round(), EVERY_MS).unref();
  onShutdown("click partitions", () => clearInterval(timer), 60);
}
