import type pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getPool } from "../db";
import { compactRollups } from "./compactor";

afterAll(closeDb);

describe("compactRollups", () => {
  it("a backend terminated while the compactor holds its connection fails the round, not the process", async () => {
    const pool = getPool();
    // The pool stops listening to a client while it is checked out; the backend dies inside the compactor's round
    // (before its first statement), the way pg_terminate_backend or a database restart kills it between two statements.
    const dying = {
      connect: async () => {
        const client = await pool.connect();
        const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
        Object.assign(client, {
          query: async (...args: unknown[]) => {
            Object.assign(client, { query });
            await pool.query("SELECT pg_terminate_backend($1)", [(client as unknown as { processID: number }).processID]);
            await new Promise((r) => setTimeout(r, 300)); // the FATAL and the closed socket arrive meanwhile
            return query(...args);
          },
        });
        return client;
      },
    } as unknown as pg.Pool;
    await expect(compactRollups(dying)).rejects.toThrow(/terminat|Connection|closed|EPIPE|ECONNRESET/i);
    // The broken connection was not handed back: the next round runs.
    await expect(compactRollups(pool)).resolves.toMatchObject({ ran: true });
  });
});
