// `npm run manager:create`: the first manager of a database that has no demo, run as the command an operator types.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { db } from "../db";
import { env } from "../env";
import { unique } from "../testing/fixtures";
import { describeToken } from "./tokens";

const ROOT = path.resolve(import.meta.dirname, "../..");
const run = (...args: string[]) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/create-manager.ts", ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: env().DATABASE_URL } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

describe("npm run manager:create", () => {
  it("creates a manager without a usable password and prints the one-time link that sets it", async () => {
    const email = `${unique("first")}@example.com`;
    const { code, stdout } = await run("--email", email, "--name", "First Manager");
    expect(code).toBe(0);
    const url = /Open this link to set the password .*:\nhttps?:\/\/\S+\/set-password\?token=(\S+)/.exec(stdout);
    expect(url, stdout).not.toBeNull();
    const user = await db.user.findUniqueOrThrow({ where: { email } });
    expect(user).toMatchObject({ role: "MANAGER", name: "First Manager", passwordSet: false });
    expect(await describeToken(db, decodeURIComponent(url![1]!))).toMatchObject({ valid: true, email });
    expect(await db.auditLog.findFirst({ where: { action: "manager.create", entityId: user.id } })).toMatchObject({ actorId: null });
  });

  it("refuses bad input or an email in use with a clear line, and writes nothing", async () => {
    const before = await db.user.count();
    const bad = await run("--email", "not-an-email", "--name", "X");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^\[manager:create\] --email: .+\nusage: npm run manager:create/);
    const taken = (await db.user.findFirstOrThrow()).email;
    const again = await run("--email", taken, "--name", "Someone");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`${taken} already has an account.`);
    expect(await db.user.count()).toBe(before);
  });
});
