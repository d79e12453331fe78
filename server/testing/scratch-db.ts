// A throwaway database on the test server, for tests that need a database of their own (migrations from scratch,
// seeding an empty database). Needs TEST_ADMIN_DATABASE_URL, which `npm test` sets.
import { randomUUID } from "node:crypto";
import { dropDatabase, ensureDatabase, withDatabase } from "../db/local-postgres";

export async function createScratchDatabase(prefix = "scratch") {
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_ADMIN_DATABASE_URL is not set: run the tests with `npm test`");
  const name = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await ensureDatabase(adminUrl, name, { fresh: true });
  const url = withDatabase(adminUrl, name);
  return {
    url,
    name,
    drop: () => dropDatabase(adminUrl, name),
  };
}
