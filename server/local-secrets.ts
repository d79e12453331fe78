// Secrets a local run needs are generated once and kept in .data/secrets.json (git-ignored), so restarts keep
// sessions, click ids and encrypted webhook secrets valid. Production never gets here: it must be given its secrets
// (see server/env.ts).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const FILE = path.resolve(import.meta.dirname, "../.data/secrets.json");
const NAMES = ["NEXTAUTH_SECRET", "CLICK_ID_SECRET", "WEBHOOK_SECRET_KEY"] as const;

export function ensureLocalSecrets(file = FILE): void {
  const stored: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  let changed = false;
  for (const name of NAMES) {
    if (!stored[name]) {
      stored[name] = randomBytes(32).toString("base64url");
      changed = true;
    }
    process.env[name] ||= stored[name];
  }
  if (changed) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
  }
}
