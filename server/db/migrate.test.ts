import { createHash } from "node:crypto";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createScratchDatabase } from "../testing/scratch-db";
import { MIGRATIONS_DIR, MigrationError, migrate, migrationsApplied } from "./migrate";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function scratch() {
  const database = await createScratchDatabase("migrate");
  cleanups.push(database.drop);
  return database.url;
}

/** A migrations folder with the given files (name → SQL). */
function folder(migrations: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), "migrations-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, sql] of Object.entries(migrations)) write(dir, name, sql);
  return dir;
}

function write(dir: string, name: string, sql: string) {
  mkdirSync(path.join(dir, name), { recursive: true });
  writeFileSync(path.join(dir, name, "migration.sql"), sql);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const FIRST = "CREATE TABLE widgets (id int PRIMARY KEY);";
const SECOND = "ALTER TABLE widgets ADD COLUMN name text;";

describe("migration runner", () => {
  it("applies pending migrations in name order and records them as Prisma does", async () => {
    const url = await scratch();
    // Written out of order: the runner sorts by folder name (the timestamp).
    const dir = folder({ "20260102000000_second": SECOND, "20260101000000_first": FIRST });
    expect(await migrate(url, { dir })).toEqual(["20260101000000_first", "20260102000000_second"]);
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY started_at, migration_name`,
    );
    expect(rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count])).toEqual([
      ["20260101000000_first", sha256(FIRST), 1],
      ["20260102000000_second", sha256(SECOND), 1],
    ]);
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    expect(await query(url, "SELECT id, name FROM widgets")).toEqual([]);
  });

  it("is idempotent: a second run applies nothing", async () => {
    const url = await scratch();
    const dir = folder({ "20260101000000_first": FIRST });
    await migrate(url, { dir });
    expect(await migrate(url, { dir })).toEqual([]);
    expect(await query(url, `SELECT count(*)::int AS n FROM "_prisma_migrations"`)).toEqual([{ n: 1 }]);
  });

  it("refuses an applied migration that was edited, with a clear message, and applies nothing after it", async () => {
    const url = await scratch();
    const dir = folder({ "20260101000000_first": FIRST });
    await migrate(url, { dir });
    write(dir, "20260101000000_first", `${FIRST}\n-- edited`);
    write(dir, "20260102000000_second", SECOND);
    const attempt = migrate(url, { dir });
    await expect(attempt).rejects.toThrow(MigrationError);
    await expect(attempt).rejects.toThrow(/20260101000000_first was edited after it was applied.*put the change in a new migration/);
    expect(await query(url, `SELECT migration_name FROM "_prisma_migrations"`)).toEqual([{ migration_name: "20260101000000_first" }]);
    expect(await query(url, `SELECT column_name FROM information_schema.columns WHERE table_name = 'widgets' ORDER BY 1`)).toEqual([
      { column_name: "id" },
    ]);
  });

  it("rolls a failing migration back completely and records nothing for it", async () => {
    const url = await scratch();
    const dir = folder({
      "20260101000000_first": FIRST,
      "20260102000000_broken": "CREATE TABLE gadgets (id int); INSERT INTO widgets VALUES (1); SELECT 1 / 0;",
    });
    await expect(migrate(url, { dir })).rejects.toThrow(/20260102000000_broken failed and was rolled back: division by zero/);
    expect(await query(url, `SELECT migration_name FROM "_prisma_migrations"`)).toEqual([{ migration_name: "20260101000000_first" }]);
    expect(await query(url, "SELECT to_regclass('gadgets') AS t")).toEqual([{ t: null }]);
    expect(await query(url, "SELECT count(*)::int AS n FROM widgets")).toEqual([{ n: 0 }]);
  });

  it("lets two concurrent runners apply each migration exactly once (advisory lock)", async () => {
    const url = await scratch();
    // The sleep keeps the first runner inside its migration while the second arrives; without the lock the second
    // would run the same CREATE TABLE and fail.
    const dir = folder({
      "20260101000000_slow": `SELECT pg_sleep(0.3); ${FIRST}`,
      "20260102000000_second": SECOND,
    });
    const [a, b] = await Promise.all([migrate(url, { dir }), migrate(url, { dir })]);
    expect([...a, ...b].sort()).toEqual(["20260101000000_slow", "20260102000000_second"]);
    expect(await query(url, `SELECT count(*)::int AS n FROM "_prisma_migrations"`)).toEqual([{ n: 2 }]);
  });

  it("brings a new database to the project's schema, which the health check then sees as applied", async () => {
    const url = await scratch();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect(await migrationsApplied(client)).toBe(false);
      expect((await migrate(url)).length).toBeGreaterThan(0);
      expect(await migrationsApplied(client, MIGRATIONS_DIR)).toBe(true);
    } finally {
      await client.end();
    }
  });
});
