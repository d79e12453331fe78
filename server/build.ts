// `npm start` builds only when the sources changed since the last build: a hash of everything Next compiles is
// kept next to the build output.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { logLine } from "./log";

const ROOT = path.resolve(import.meta.dirname, "..");
const INPUTS = ["app", "components", "server", "public", "proxy.ts", "instrumentation-client.ts", "next.config.mjs", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];
const SKIP = new Set(["node_modules", "generated"]);

export function distDir(): string {
  return path.join(ROOT, process.env.NEXT_DIST_DIR ?? ".next");
}

function sourceHash(): string {
  const hash = createHash("sha256");
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!SKIP.has(name) && !name.endsWith(".test.ts")) walk(path.join(p, name));
    } else {
      hash.update(path.relative(ROOT, p)).update(readFileSync(p));
    }
  };
  for (const input of INPUTS) walk(path.join(ROOT, input));
  return hash.digest("hex");
}

/** Runs `next build` unless the build in distDir() was made from the same sources. */
export function ensureBuild(log: (line: string) => void = logLine): void {
  const stamp = path.join(distDir(), "SOURCE_HASH");
  const hash = sourceHash();
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return;
  log("[build] sources changed since the last build: running next build (a minute or two)…");
  const nextBin = path.join(ROOT, "node_modules/next/dist/bin/next");
  const result = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit ${result.status})`);
  writeFileSync(stamp, hash);
}
