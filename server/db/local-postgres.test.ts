import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServerProcess } from "../testing/server-process";
import { LocalPostgresError, explainStartFailure, firstClosedFolder, processRuns, startLocalPostgres } from "./local-postgres";

const isRoot = process.getuid?.() === 0;
const temp = mkdtempSync(path.join(tmpdir(), "local-pg-"));
chmodSync(temp, 0o755); // mkdtemp makes it 0700: the postgres user must enter it
const started: ServerProcess[] = [];

afterAll(async () => {
  for (const server of started) await server.stop("SIGKILL");
  // Whatever a failed assertion left running on the test's folders is stopped before they are deleted.
  for (const entry of readdirSync(temp)) {
    const pidFile = path.join(temp, entry, "postmaster.pid");
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
      try {
        process.kill(pid, "SIGINT");
      } catch {}
    }
  }
  await new Promise((r) => setTimeout(r, 500));
  rmSync(temp, { recursive: true, force: true });
});

describe("firstClosedFolder", () => {
  const user = { uid: 101, gid: 104, groups: [104] };
  const tree: Record<string, { mode: number; uid: number; gid: number }> = {
    "/": { mode: 0o755, uid: 0, gid: 0 },
    "/root": { mode: 0o700, uid: 0, gid: 0 },
    "/root/app": { mode: 0o755, uid: 0, gid: 0 },
    "/srv": { mode: 0o750, uid: 0, gid: 104 },
    "/srv/app": { mode: 0o700, uid: 101, gid: 0 },
    "/opt": { mode: 0o754, uid: 0, gid: 0 },
  };
  const stat = (folder: string) => tree[folder];

  it("names the first folder the user may not enter", () => {
    expect(firstClosedFolder("/root/app/.data/pg", user, stat)).toBe("/root");
    expect(firstClosedFolder("/opt/x", user, stat)).toBe("/opt");
  });

  it("follows owner, group and other permissions; folders still to be made are not judged", () => {
    expect(firstClosedFolder("/srv/app/.data/pg", user, stat)).toBeUndefined();
    expect(firstClosedFolder("/srv/app", { uid: 102, gid: 5, groups: [5] }, stat)).toBe("/srv");
    expect(firstClosedFolder("/root/app", { uid: 0, gid: 0, groups: [0] }, stat)).toBeUndefined();
  });
});

describe("explainStartFailure", () => {
  it("turns PostgreSQL's output into the fix", () => {
    expect(explainStartFailure("FATAL:  could not write to file: No space left on device", "/d/pg", 5)).toMatch(/disk .* is full: free some space/);
    expect(explainStartFailure('LOG:  could not bind IPv4 address "127.0.0.1": Address already in use', "/d/pg", 5432)).toMatch(/port 5432 .* taken/);
    expect(explainStartFailure('FATAL:  lock file "postmaster.pid" already exists', "/d/pg", 5)).toMatch(/another PostgreSQL is running on \/d\/pg/);
    expect(explainStartFailure('FATAL:  data directory "/d/pg" has wrong ownership', "/d/pg", 5)).toMatch(/chown -R .* \/d\/pg/);
    expect(explainStartFailure("something else", "/d/pg", 5)).toBeUndefined();
  });
});

describe.runIf(isRoot)("a folder the postgres user cannot enter (as root)", () => {
  it("stops with one line naming the folder and the fix, and writes nothing", async () => {
    const closed = path.join(temp, "closed");
    mkdirSync(closed, { mode: 0o700 });
    chmodSync(closed, 0o700);
    const error = await startLocalPostgres(path.join(closed, "pg"), () => {}, () => {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LocalPostgresError);
    const message = (error as Error).message;
    expect(message).toContain(`cannot enter ${closed} (mode 0700)`);
    expect(message).toContain(`chmod o+x ${closed}`);
    expect(message).not.toContain("\n");
    expect(readdirSync(closed)).toEqual([]);
  });
});

/** Our server on the embedded PostgreSQL in `dir`, with the demo data (its link `demo` and postback token). */
async function startOn(dir: string): Promise<ServerProcess> {
  const server = await startServerProcess({ env: { DATABASE_URL: "", EMBEDDED_PG_DIR: dir, SEED: "1" } });
  started.push(server);
  return server;
}

function postmasterPid(dir: string): number | undefined {
  const file = path.join(dir, "postmaster.pid");
  return existsSync(file) ? Number(readFileSync(file, "utf8").split("\n")[0]) : undefined;
}

const running = (pid: number | undefined) => pid !== undefined && processRuns(pid);

describe("crash recovery of the embedded PostgreSQL", () => {
  it("after SIGKILL of the server, a new start stops the orphaned PostgreSQL cleanly and serves the acknowledged data", async () => {
    const dir = path.join(temp, "pg");
    const first = await startOn(dir);

    const click = await fetch(`${first.url}/go/demo`, { redirect: "manual", headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" } });
    expect(click.status).toBe(302);
    const clickId = new URL(click.headers.get("location")!).searchParams.get("click_id");
    expect(clickId).toBeTruthy();
    const postback = `${first.url}/api/postback?token=demo-token&click_id=${clickId}&txn_id=crash-1&amount=10.00`;
    const created = (await (await fetch(postback)).json()) as { status: string; conversion_id: string };
    expect(created.status).toBe("created");

    // While its owner runs, nobody else may start a server on the folder.
    await expect(startLocalPostgres(dir, () => {}, () => {})).rejects.toThrow(/belongs to process \d+, which is running/);

    const orphan = postmasterPid(dir);
    expect(await first.stop("SIGKILL")).toBeNull();
    expect(running(orphan)).toBe(true); // what the fix is for: PostgreSQL outlives its parent

    const restartedAt = Date.now();
    const second = await Promise.race([
      startOn(dir),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("not ready within 30 s")), 30_000)),
    ]);
    expect(Date.now() - restartedAt).toBeLessThan(30_000);
    expect(second.output()).toContain(`the embedded PostgreSQL (pid ${orphan}) outlived the process that started it`);
    expect(running(orphan)).toBe(false);
    expect(existsSync(path.join(dir, "PG_VERSION"))).toBe(true);

    const retried = (await (await fetch(postback.replace(first.url, second.url))).json()) as { status: string; conversion_id: string };
    expect(retried).toMatchObject({ status: "duplicate", conversion_id: created.conversion_id });

    expect(await second.stop("SIGTERM")).toBe(0);
    expect(running(postmasterPid(dir))).toBe(false);
  }, 240_000);
});
