// Folds the rollups' deltas into their keyed rows, and prunes rollups past their retention. Every server process
// runs one; a transaction-scoped advisory lock lets one of them fold at a time (the others skip that round).
// Folding is one transaction for every rollup, so a read — which sums rows and deltas — sees each change once
// before, during and after it. Reads never depend on it running: it only keeps the delta tables small.
import type pg from "pg";
import { getPool } from "../db";
import { checkOut } from "../db/checked-out";
import { env } from "../env";
import { onShutdown } from "../lifecycle";
import { ROLLUPS, compactSql } from "./rollups";
import { errorLine } from "../log";

/** Any fixed number: the key of "one compactor at a time". */
const COMPACT_LOCK = 7_311_002;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface CompactResult {
  /** False when another process held the lock. */
  ran: boolean;
  folded: number;
}

/** One round: fold every delta (and, with `prune`, delete rollup rows past their retention). */
export async function compactRollups(pool: pg.Pool = getPool(), { prune = false, now = new Date() } = {}): Promise<CompactResult> {
  const { client, release } = await checkOut(pool); // a backend dying meanwhile fails the round, not the process
  try {
    await client.query("BEGIN");
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock($1) AS locked", [COMPACT_LOCK]);
    if (!rows[0]!.locked) {
      await client.query("ROLLBACK");
      return { ran: false, folded: 0 };
    }
    let folded = 0;
    for (const rollup of ROLLUPS) folded += (await client.query(compactSql(rollup))).rowCount ?? 0;
    if (prune) {
      for (const { table, time } of ROLLUPS) {
        if (time.retentionDays === null) continue;
        await client.query(`DELETE FROM ${table} WHERE "${time.column}" < $1`, [new Date(now.getTime() - time.retentionDays * 86_400_000)]);
      }
    }
    await client.query("COMMIT");
    return { ran: true, folded };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    release();
  }
}

/** Starts the periodic fold (the next round is scheduled when one ends); stopped at shutdown. */
export function startCompactor(log: (line: string) => void = errorLine): () => Promise<void> {
  let lastPrune = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const round = async () => {
    const prune = Date.now() - lastPrune > PRUNE_EVERY_MS;
    try {
      if ((await compactRollups(getPool(), { prune })).ran && prune) lastPrune = Date.now();
    } catch (error) {
      log(`[rollups] compaction failed (reads stay exact; retrying): ${(error as Error).message}`);
    }
    if (!stopped) timer = setTimeout(() => (running = round()), env().ROLLUP_COMPACT_MS).unref();
  };
  timer = setTimeout(() => (running = round()), env().ROLLUP_COMPACT_MS).unref();
  const stop = async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
  onShutdown("rollup compactor", stop, 60);
  return stop;
}
