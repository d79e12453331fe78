// Applies prisma/migrations/<timestamp>_<name>/migration.sql in order and records each in `_prisma_migrations`
// exactly as `prisma migrate deploy` does (same table, same sha256 checksum, same advisory lock key), so either
// tool can take over from the other. Each migration runs in its own transaction; an edited applied migration is
// refused rather than silently skipped.
import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../prisma/migrations");
/** The key `prisma migrate` locks with, so our runner and Prisma's exclude each other too. */
const PRISMA_ADVISORY_LOCK = 72707369;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "migration.sql")));
  return Promise.all(
    names
      .map((e) => e.name)
      .sort()
      .map(async (name) => {
        const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
        return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
      }),
  );
}

/** Applies what is pending; returns the names applied. */
export async function migrate(databaseUrl: string, { dir = MIGRATIONS_DIR, log = (_: string) => {} } = {}) {
  const migrations = await readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const done = new Map(rows.map((r) => [r.migration_name, r]));
    for (const m of migrations) {
      const row = done.get(m.name);
      if (row && !row.finished_at) {
        throw new MigrationError(
          `Migration ${m.name} started but did not finish (a failed run of another tool). Resolve it by hand ` +
            `(fix the database, then mark it applied or rolled back) before migrating again.`,
        );
      }
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new MigrationError(
            `Migration ${m.name} was edited after it was applied (checksum ${m.checksum.slice(0, 12)}… on disk, ` +
              `${row.checksum.slice(0, 12)}… applied). Restore the original file and put the change in a new migration.`,
          );
        }
        continue;
      }
      log(`applying ${m.name}`);
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(`Migration ${m.name} failed and was rolled back: ${(error as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]).catch(() => {});
    await client.end();
  }
}

/** True when every migration on disk is applied (health check). */
export async function migrationsApplied(client: pg.ClientBase | pg.Pool, dir = MIGRATIONS_DIR): Promise<boolean> {
  const migrations = await readMigrations(dir);
  const { rows } = await client
    .query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    )
    .catch(() => ({ rows: [] as { migration_name: string }[] }));
  const applied = new Set(rows.map((r) => r.migration_name));
  return migrations.every((m) => applied.has(m.name));
}
