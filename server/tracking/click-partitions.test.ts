// The clicks table by month: the migration converts a database that already holds clicks while a click sink keeps
// writing (nothing acknowledged is lost, nothing is stored twice, the rollups count every row once), months are
// created ahead, and months past retention are dropped whole while their rollups stay. Each test has a database of
// its own (dropping months of the shared test database would take other files' clicks with them).
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrate } from "../db/migrate";
import { checkRollups } from "../reporting/rebuild";
import { createScratchDatabase } from "../testing/scratch-db";
import { ClickSink } from "./click-sink";
import { pgClickWriter } from "./click-writer";
import { dropExpiredClickPartitions, ensureClickPartitions, listClickPartitions } from "./click-partitions";
import type { ClickRecord } from "./redirect";

const PARTITIONING = "20261204100000_clicks_partitioned_by_month";
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function scratch() {
  const database = await createScratchDatabase("clicks_partitions");
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  pool.on("error", () => {}); // an idle connection closed under the pool (the COPY the migration interrupted)
  cleanups.push(database.drop, () => pool.end());
  return { ...database, pool };
}

/** The migrations before `name`, in a folder of their own. */
async function migrationsBefore(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "migrations-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const entry of await readdir(MIGRATIONS_DIR)) {
    if (entry < name) await cp(path.join(MIGRATIONS_DIR, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

let sequence = 0;
function click(at: number): ClickRecord {
  const n = sequence++;
  return { clickId: `c${at.toString(36)}${n.toString(36).padStart(8, "0")}`, linkId: 1 + (n % 3), affiliateId: "aff", offerId: "off", at, ip: "198.51.100.1", userAgent: "UA", referer: null, sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, billable: n % 5 !== 0, isBot: n % 5 === 0, isRepeat: false };
}

describe("clicks partitioned by month", () => {
  it("the migration converts a table that holds clicks while a sink keeps writing: every click stored once", async () => {
    const { url, pool } = await scratch();
    await migrate(url, { dir: await migrationsBefore(PARTITIONING) });
    // Clicks from three months ago to now, stored before the migration.
    const before = Array.from({ length: 3_000 }, (_, i) => click(Date.now() - 90 * 86_400_000 + i * 2_600_000));
    await pgClickWriter(pool)(before);

    const sink = new ClickSink({ write: pgClickWriter(pool, { timeoutMs: 10_000 }), batchSize: 200, flushMs: 5, maxBuffered: 1_000_000, log: () => {} }).start();
    const written: string[] = [];
    const feeding = setInterval(() => {
      for (let i = 0; i < 50; i++) {
        const c = click(Date.now());
        if (sink.push(c)) written.push(c.clickId);
      }
    }, 5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const applied = await migrate(url);
    await new Promise((resolve) => setTimeout(resolve, 200));
    clearInterval(feeding);
    await sink.flushAll();

    expect(applied).toContain(PARTITIONING);
    expect(written.length).toBeGreaterThan(500);
    const { rows } = await pool.query<{ n: number; distinct: number; missing: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct,
              (SELECT count(*)::int FROM unnest($1::text[]) AS w(id) WHERE NOT EXISTS (SELECT 1 FROM clicks c WHERE c.id = w.id)) AS missing
       FROM clicks`,
      [[...before.map((c) => c.clickId), ...written]],
    );
    expect(rows[0]).toEqual({ n: before.length + written.length, distinct: before.length + written.length, missing: 0 });
    const { rows: kinds } = await pool.query<{ relkind: string }>(`SELECT relkind FROM pg_class WHERE relname = 'clicks'`);
    expect(kinds[0]!.relkind).toBe("p"); // partitioned
    expect((await listClickPartitions(pool)).length).toBeGreaterThanOrEqual(6); // 3 months back, this one, 2 ahead
    expect(await checkRollups(pool)).toEqual([]); // the backfill and the triggers counted every row once
  });

  it("keeps months ahead, and drops whole months past retention while their rollups stay", async () => {
    const { url, pool } = await scratch();
    await migrate(url);
    const now = new Date();
    const monthStart = (offset: number) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1);
    // A click in every month from five months ago to this one (five months back has a partition of its own).
    expect(await pool.query(`SELECT ensure_click_partitions($1::date, $2::date)`, [new Date(monthStart(-5)), now])).toBeTruthy();
    await pgClickWriter(pool)([-5, -4, -3, -2, -1, 0].map((offset) => click(monthStart(offset) + 3_600_000)));

    const later = new Date(monthStart(6) + 86_400_000);
    expect(await ensureClickPartitions(pool, later)).toBeGreaterThan(0);
    const names = (await listClickPartitions(pool)).map((p) => p.name);
    const label = (offset: number) => `clicks_p${new Date(monthStart(offset)).toISOString().slice(0, 7).replace("-", "_")}`;
    expect(names).toEqual(expect.arrayContaining([label(6), label(7), label(8)]));

    // 70 days of retention, as seen from now: the months that ended before then go, whole.
    const dropped = await dropExpiredClickPartitions(pool, { now, retentionDays: 70 });
    const cutoff = now.getTime() - 70 * 86_400_000;
    const expected = [-5, -4, -3, -2].filter((offset) => monthStart(offset + 1) <= cutoff).map(label);
    expect(dropped).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM clicks`);
    expect(rows[0]!.n).toBe(6 - expected.length);
    // The dropped months' counts stay in the rollups; the check compares only the months still stored.
    const { rows: history } = await pool.query<{ n: string }>(`SELECT sum(n) AS n FROM (SELECT n FROM rollup_offer_day_clicks UNION ALL SELECT n FROM rollup_offer_day_clicks_delta) t`);
    expect(Number(history[0]!.n)).toBe(6);
    expect(await checkRollups(pool)).toEqual([]);
    // A second round has nothing left to drop.
    expect(await dropExpiredClickPartitions(pool, { now, retentionDays: 70 })).toEqual([]);
  });

  it("the sink copies into each month's partition (one batch, two months, stored together), and a month without one is refused as data", async () => {
    const { url, pool } = await scratch();
    await migrate(url);
    const now = new Date();
    const turn = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
    const batch = [click(turn - 60_000), click(turn - 1), click(turn), click(turn + 60_000)];
    await pgClickWriter(pool)(batch);
    const { rows } = await pool.query<{ part: string; n: number }>(`SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM clicks GROUP BY 1 ORDER BY 1`);
    const label = (t: number) => `clicks_p${new Date(t).toISOString().slice(0, 7).replace("-", "_")}`;
    expect(rows).toEqual([{ part: label(turn - 1), n: 2 }, { part: label(turn), n: 2 }]);
    expect(await checkRollups(pool)).toEqual([]); // the writer added each month's rows to the rollups once

    const farAhead = click(Date.UTC(now.getUTCFullYear() + 3, 0, 1));
    await expect(pgClickWriter(pool)([farAhead])).rejects.toMatchObject({ code: "23514" }); // no partition: the sink drops and counts it
    expect((await pool.query(`SELECT count(*)::int AS n FROM clicks`)).rows[0].n).toBe(4);
  });
});
