// The one database handle: a pg pool shared by Prisma (through its pg adapter) and by the few raw-SQL hot paths
// (batched click inserts, LISTEN/NOTIFY). Kept on globalThis so Next's dev reloads do not open new pools.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { env } from "../env";
import { PrismaClient } from "./generated/client";
import { errorLine } from "../log";

export type Db = InstanceType<typeof PrismaClient>;

const globalForDb = globalThis as unknown as { __pool?: pg.Pool; __db?: Db };

function createPool(): pg.Pool {
  // connectionTimeoutMillis: a request waiting for a connection (pool exhausted, database host not answering)
  // fails after 5 s instead of hanging.
  const pool = new pg.Pool({ connectionString: env().DATABASE_URL, max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on("error", (error) => errorLine(`[db] idle client error: ${error.message}`));
  return pool;
}

export function getPool(): pg.Pool {
  return (globalForDb.__pool ??= createPool());
}

export function getDb(): Db {
  return (globalForDb.__db ??= new PrismaClient({ adapter: new PrismaPg(getPool()) }));
}

/** Prisma client; resolved on first property access so importing this module never needs a database. */
export const db: Db = new Proxy({} as Db, {
  get(_, prop) {
    const client = getDb();
    const value = Reflect.get(client, prop);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

export async function closeDb(): Promise<void> {
  const { __db, __pool } = globalForDb;
  globalForDb.__db = undefined;
  globalForDb.__pool = undefined;
  await __db?.$disconnect();
  await __pool?.end();
}

export * from "./generated/client";
