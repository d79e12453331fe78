// What every benchmark needs around its measurements: a fresh database of its own (on DATABASE_URL's server, or the
// embedded one in .data/pg-bench), the machine line, and its own section of bench/RESULTS.md.
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type LocalPostgres, dropDatabase, ensureDatabase, startLocalPostgres, withDatabase } from "../../server/db/local-postgres";
import { migrate } from "../../server/db/migrate";

const ROOT = path.resolve(import.meta.dirname, "../..");
const RESULTS = path.join(ROOT, "bench/RESULTS.md");

export function machine(): string {
  const model = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  return `${os.cpus().length} cores (nproc ${execSync("nproc").toString().trim()}), ${model}, Node ${process.version}`;
}

export const stamp = () => `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** Replaces the section that starts with `heading` in RESULTS.md (other benchmarks keep theirs). */
export function writeSection(heading: string, report: string): void {
  const text = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : "# Benchmark results\n";
  const start = text.indexOf(heading);
  if (start < 0) return writeFileSync(RESULTS, `${text.trimEnd()}\n\n${report}`);
  const next = text.indexOf("\n## ", start + heading.length);
  writeFileSync(RESULTS, text.slice(0, start) + report + (next < 0 ? "" : text.slice(next)));
}

/** The embedded cluster benchmarks use (BENCH_CLUSTER: another folder under .data, to run two benches at once). */
const CLUSTER = process.env.BENCH_CLUSTER ?? "pg-bench";

export interface BenchDatabase {
  url: string;
  /** The embedded cluster's postmaster (for its CPU time: lib/cpu.ts), or null on DATABASE_URL's server. */
  postmaster: number | null;
  drop(): Promise<void>;
  /** Stops the embedded server and keeps the database. */
  keep(): Promise<void>;
}

/**
 * A fresh, migrated database named `name_<pid>`; `drop()` removes it (and stops the embedded server). With `reuse`,
 * that existing database instead (kept by an earlier run), brought up to the latest migration.
 */
export async function benchDatabase(name: string, { reuse }: { reuse?: string } = {}): Promise<BenchDatabase> {
  let local: LocalPostgres | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    local = await startLocalPostgres(CLUSTER);
    adminUrl = local.url("postgres");
  }
  const database = reuse ?? `${name}_${process.pid}`;
  await ensureDatabase(adminUrl, database, { fresh: !reuse });
  const url = withDatabase(adminUrl, database);
  await migrate(url);
  const pidFile = path.join(ROOT, ".data", CLUSTER, "postmaster.pid");
  return {
    url,
    postmaster: local && existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : null,
    drop: async () => {
      await dropDatabase(adminUrl, database);
      await local?.stop();
    },
    keep: async () => {
      await local?.stop();
    },
  };
}
