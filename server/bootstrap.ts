// What every entry point (npm start, npm test, db:migrate, db:seed, the worker) does before the app runs:
// find or start the database, make local secrets, and apply migrations.
import path from "node:path";
import { type LocalPostgres, ensureDatabase, startLocalPostgres } from "./db/local-postgres";
import { migrate } from "./db/migrate";
import { type Env, env } from "./env";
import { ensureLocalSecrets } from "./local-secrets";
import { logLine } from "./log";

export const LOCAL_DATABASE = "affiliate";

/**
 * Whether the start seeds demo data into an empty database (SEED in server/env.ts): "auto" seeds anything outside
 * production, never under NODE_ENV=production (the embedded database included) — the demo logins and the postback
 * token `demo-token` are public. SEED=1 seeds anyway (startupWarnings() says so loudly in production).
 */
export function seedsDemoData(setting: Env["SEED"], nodeEnv: Env["NODE_ENV"]): boolean {
  return setting === "1" || (setting === "auto" && nodeEnv !== "production");
}

/** What a production start should shout about: public demo logins, plain http, metrics nobody can scrape. */
export function startupWarnings(config: Pick<Env, "NODE_ENV" | "NEXTAUTH_URL" | "METRICS_TOKEN" | "METRICS_PORT">, { seeding }: { seeding: boolean }): string[] {
  if (config.NODE_ENV !== "production") return [];
  const warnings: string[] = [];
  if (seeding) {
    warnings.push("SEED=1 in production: an empty database gets the PUBLIC demo logins (password demo-password) and postback token demo-token. Never do this on a reachable server.");
  }
  if (!config.NEXTAUTH_URL?.startsWith("https://")) {
    warnings.push(`production runs on plain http (NEXTAUTH_URL=${config.NEXTAUTH_URL ?? "unset"}): session cookies are not Secure and there is no HSTS. Set NEXTAUTH_URL to the https URL.`);
  }
  if (!config.METRICS_TOKEN && !config.METRICS_PORT) warnings.push("GET /metrics is refused: set METRICS_TOKEN or METRICS_PORT to scrape it.");
  return warnings;
}

export interface Bootstrapped {
  databaseUrl: string;
  /** Set when we started an embedded PostgreSQL (no DATABASE_URL). */
  localPostgres?: LocalPostgres;
}

/**
 * Uses DATABASE_URL when set; otherwise starts the embedded PostgreSQL kept in `.data/<cluster>` and creates the
 * local database. Local runs (embedded database, or NODE_ENV other than production) get generated secrets;
 * a production deployment must provide its own, and server/env.ts refuses to start without them — checked before
 * migrating (`checkAppEnv: false` for the migration command alone, which needs only DATABASE_URL).
 */
export async function bootstrap({ cluster = process.env.EMBEDDED_PG_DIR || "pg", log = logLine, runMigrations = true, checkAppEnv = true } = {}): Promise<Bootstrapped> {
  let localPostgres: LocalPostgres | undefined;
  if (!process.env.DATABASE_URL) {
    log(`[db] DATABASE_URL is not set: starting the embedded PostgreSQL in ${path.isAbsolute(cluster) ? cluster : `.data/${cluster}`}`);
    localPostgres = await startLocalPostgres(cluster, () => {}, log);
    await ensureDatabase(localPostgres.url("postgres"), LOCAL_DATABASE);
    process.env.DATABASE_URL = localPostgres.url(LOCAL_DATABASE);
  }
  if (localPostgres || process.env.NODE_ENV !== "production") ensureLocalSecrets();
  if (checkAppEnv) env(); // a misconfigured deployment stops here, before it changes the database
  const databaseUrl = process.env.DATABASE_URL!;
  if (runMigrations) {
    const applied = await migrate(databaseUrl, { log: (line) => log(`[db] ${line}`) });
    log(`[db] migrations: ${applied.length ? `applied ${applied.join(", ")}` : "up to date"}`);
  }
  return { databaseUrl, localPostgres };
}
