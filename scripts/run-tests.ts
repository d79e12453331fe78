// The test run behind `npm test`: a real PostgreSQL (embedded in .data/pg-test when DATABASE_URL is unset), a fresh
// database per suite so demo data is never touched, then
//   1. vitest: unit and integration tests against the test database;
//   2. Playwright: a production build served by our server on a seeded database, driven in Debian's Chromium.
// Flags: --unit or --e2e to run one suite; anything else is passed to vitest (file filters), or with --e2e to
// Playwright (spec filters: `npm test -- --e2e e2e/security.spec.ts`).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { ensureBuild } from "../server/build";
import { type LocalPostgres, dropDatabase, ensureDatabase, startLocalPostgres, withDatabase } from "../server/db/local-postgres";
import { migrate } from "../server/db/migrate";
import { ensureLocalSecrets } from "../server/local-secrets";

const ROOT = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const only = args.includes("--unit") ? "unit" : args.includes("--e2e") ? "e2e" : "all";
const vitestArgs = args.filter((a) => !a.startsWith("--"));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** This run's reports and artifacts: separate per run, so concurrent runs never delete each other's files. */
const RESULTS = path.join(ROOT, "test-results", `run-${process.pid}`);

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}
const total: Tally = { passed: 0, failed: 0, skipped: 0 };

Object.assign(process.env, { NODE_ENV: "test" });
process.env.NEXT_TELEMETRY_DISABLED = "1";
ensureLocalSecrets();

let local: LocalPostgres | undefined;
const suffix = `${process.pid}`;
const created: string[] = [];

async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  await ensureDatabase(adminUrl, name, { fresh: true });
  created.push(name);
  const url = withDatabase(adminUrl, name);
  await migrate(url);
  return url;
}

function run(cmd: string, argv: string[], env: Record<string, string>): number {
  return spawnSync(cmd, argv, { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...env } }).status ?? 1;
}

function readJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
}

function typecheck(): boolean {
  console.log("[test] type check (tsc --noEmit)");
  const ok = run(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."], {}) === 0;
  if (ok) total.passed += 1;
  else total.failed += 1;
  return ok;
}

async function unitSuite(adminUrl: string): Promise<boolean> {
  const url = await freshDatabase(adminUrl, `test_unit_${suffix}`);
  const report = path.join(RESULTS, "vitest.json");
  rmSync(report, { force: true });
  const code = run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...vitestArgs], {
    DATABASE_URL: url,
    TEST_ADMIN_DATABASE_URL: adminUrl,
  });
  const result = readJson<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }>(report);
  if (result) {
    total.passed += result.numPassedTests;
    total.failed += result.numFailedTests;
    total.skipped += result.numPendingTests + result.numTodoTests;
  } else if (code !== 0) total.failed += 1;
  return code === 0;
}

async function waitForHealth(baseUrl: string, server: ChildProcess, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode} before it was healthy`);
    const ok = await fetch(`${baseUrl}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server was not healthy within ${timeoutMs / 1000}s`);
}

async function e2eSuite(adminUrl: string): Promise<boolean> {
  if (!existsSync(CHROMIUM)) {
    console.error(`[test] Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    total.failed += 1;
    return false;
  }
  const url = await freshDatabase(adminUrl, `test_e2e_${suffix}`);
  ensureBuild();
  const port = 3100 + (process.pid % 800);
  const baseUrl = `http://localhost:${port}`;
  const server = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NODE_ENV: "production", DATABASE_URL: url, PORT: String(port), NEXTAUTH_URL: baseUrl, SEED: "1",
      // The webhooks spec's receiver listens on 127.0.0.1; everything else keeps the SSRF rules.
      WEBHOOK_ALLOWED_HOSTS: "127.0.0.1,localhost" },
  });
  try {
    await waitForHealth(baseUrl, server);
    const report = path.join(RESULTS, "playwright.json");
    rmSync(report, { force: true });
    const code = run(process.execPath, ["node_modules/@playwright/test/cli.js", "test", ...(only === "e2e" ? vitestArgs : [])], {
      BASE_URL: baseUrl,
      CHROMIUM_PATH: CHROMIUM,
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
      PLAYWRIGHT_OUTPUT_DIR: path.join(RESULTS, "playwright"),
      DATABASE_URL: url,
    });
    const result = readJson<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(report);
    if (result) {
      total.passed += result.stats.expected + result.stats.flaky;
      total.failed += result.stats.unexpected;
      total.skipped += result.stats.skipped;
    } else if (code !== 0) total.failed += 1;
    return code === 0;
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => (server.exitCode !== null ? r(null) : server.once("exit", r)));
  }
}

let ok = false;
try {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    console.log("[test] DATABASE_URL is not set: starting the embedded PostgreSQL in .data/pg-test");
    local = await startLocalPostgres("pg-test");
    adminUrl = local.url("postgres");
  }
  const results: boolean[] = [];
  if (only !== "e2e") results.push(typecheck(), await unitSuite(adminUrl));
  if (only !== "unit") results.push(await e2eSuite(adminUrl));
  ok = results.every(Boolean);
  for (const name of created) await dropDatabase(adminUrl, name);
} catch (error) {
  console.error(`[test] ${(error as Error).message}`);
  total.failed += 1;
} finally {
  await local?.stop();
}

console.log(`\ntests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(ok && total.failed === 0 ? 0 : 1);
