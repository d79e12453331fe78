// The program settings change /go for every running server, so this file works on a database of its own: the
// other test files share one database and must never see a fallback they did not set.
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../db/migrate";
import { createScratchDatabase } from "../testing/scratch-db";

const scratch = await createScratchDatabase("program_settings");
await migrate(scratch.url);
process.env.DATABASE_URL = scratch.url;
const { closeDb, db, getPool } = await import("../db");
const { callerFor, createManager } = await import("../testing/fixtures");
const { LinkCache } = await import("../tracking/link-cache");
const { startLinkSync } = await import("../tracking/link-sync");

afterAll(async () => {
  await closeDb();
  await scratch.drop();
});

describe("program settings", () => {
  it("a manager sets the fallback URL: every link cache follows within a second, and the change is audited", async () => {
    const manager = await createManager();
    const api = callerFor(manager);
    const cache = new LinkCache();
    const sync = await startLinkSync(cache, { pool: getPool(), databaseUrl: scratch.url, resyncMs: 600_000, log: () => {} });
    try {
      expect(cache.fallbackUrl).toBeNull();
      const saved = await api.program.updateSettings({ name: "  Spring program ", fallbackUrl: " https://Shop.example/deals " });
      expect(saved).toMatchObject({ name: "Spring program", fallbackUrl: "https://shop.example/deals" });
      const since = Date.now();
      while (cache.fallbackUrl !== "https://shop.example/deals") {
        expect(Date.now() - since).toBeLessThan(1_000);
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(await api.program.settings()).toMatchObject({ name: "Spring program", fallbackUrl: "https://shop.example/deals" });

      await api.program.updateSettings({ name: "Spring program", fallbackUrl: "" }); // back to the 404 page
      while (cache.fallbackUrl !== null) {
        expect(Date.now() - since).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 10));
      }
      const audit = await db.auditLog.findMany({ where: { entityType: "program_settings", actorId: manager.id }, orderBy: { createdAt: "asc" } });
      expect(audit.map((a) => a.data)).toEqual([
        { before: { name: "Affiliate program", fallbackUrl: null }, after: { name: "Spring program", fallbackUrl: "https://shop.example/deals" } },
        { before: { name: "Spring program", fallbackUrl: "https://shop.example/deals" }, after: { name: "Spring program", fallbackUrl: null } },
      ]);
    } finally {
      await sync.stop();
    }
  });

  it.each([
    ["a javascript: URL", { fallbackUrl: "javascript:alert(1)" }, "fallbackUrl", "must start with http:// or https://"],
    ["a relative URL", { fallbackUrl: "//evil.example" }, "fallbackUrl", "must be an absolute URL"],
    ["credentials in the URL", { fallbackUrl: "https://user:pw@shop.example/" }, "fallbackUrl", "must not contain a user name or password"],
    ["an empty name", { name: "  " }, "name", "The program needs a name."],
  ])("refuses %s with a field message and changes nothing", async (_case, change, field, message) => {
    const manager = await createManager();
    const before = await callerFor(manager).program.settings();
    const error = await callerFor(manager)
      .program.updateSettings({ name: "Program", fallbackUrl: "", ...change })
      .then(() => null, (e: { code: string; cause?: { issues?: { path: string[]; message: string }[] } }) => e);
    expect(error?.code).toBe("BAD_REQUEST");
    expect(error?.cause?.issues?.find((i) => i.path[0] === field)?.message).toContain(message);
    expect(await callerFor(manager).program.settings()).toEqual(before);
    expect(await db.auditLog.count({ where: { entityType: "program_settings", actorId: manager.id } })).toBe(0);
  });
});
