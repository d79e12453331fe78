// Installs dependencies when node_modules is missing or older than package-lock.json, so `npm start` and
// `npm test` work on a fresh clone. Plain Node on purpose: it runs before anything is installed.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SCHEMA_STAMP, schemaHash } from "./schema-stamp.mjs";

const root = path.resolve(import.meta.dirname, "..");
const stampFile = path.join(root, "node_modules/.install-stamp");

export function ensureDeps() {
  const lock = readFileSync(path.join(root, "package-lock.json"));
  const hash = createHash("sha256").update(lock).digest("hex");
  const hiddenLock = path.join(root, "node_modules/.package-lock.json");
  const installed = existsSync(stampFile)
    ? readFileSync(stampFile, "utf8") === hash
    : // installed by hand with npm install after the last lock change
      existsSync(hiddenLock) && statSync(hiddenLock).mtimeMs >= statSync(path.join(root, "package-lock.json")).mtimeMs;
  if (!installed) {
    console.log("[setup] installing dependencies (npm ci)…");
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
    writeFileSync(stampFile, hash);
  } else {
    if (!existsSync(stampFile)) writeFileSync(stampFile, hash);
  }
  // The Prisma client, when missing or generated from another version of the schema (a pull, a merge).
  const stamp = existsSync(SCHEMA_STAMP) ? readFileSync(SCHEMA_STAMP, "utf8") : null;
  if (!existsSync(path.join(root, "server/db/generated/client.ts")) || stamp !== schemaHash()) {
    execFileSync(process.execPath, ["scripts/generate.mjs"], { cwd: root, stdio: "inherit" });
  }
}

/** Runs a TypeScript entry point in this process (so signals reach it directly). */
export async function runTs(file) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(path.join(root, file));
}
