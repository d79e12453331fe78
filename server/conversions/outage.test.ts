// The database failing under a postback, for real: its connection terminated mid-request (pg_terminate_backend
// from another connection), the network to it cut (a TCP proxy that resets), a database that does not exist.
// Always 503 with Retry-After, never 200, and nothing half written; the retry then succeeds.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { withDatabase } from "../db/local-postgres";
import { clickIdFor, createProgram, unique } from "../testing/fixtures";
import { startTcpProxy } from "../testing/tcp-proxy";
import { type PostbackClient, startPostbackServer } from "./testing";

const pools: pg.Pool[] = [];
function ownPool(connectionString = process.env.DATABASE_URL!): pg.Pool {
  const pool = new pg.Pool({ connectionString, max: 4 });
  pool.on("error", () => {}); // idle clients killed by the tests
  pools.push(pool);
  return pool;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end().catch(() => {})));
});

/** Terminates the backend behind `client` from another connection: the database side of the request dies. */
async function killBackend(client: pg.PoolClient) {
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  await getPool().query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
}

async function writtenFor(merchantId: string) {
  const [conversions, commissions, events] = await Promise.all([
    db.conversion.findMany({ where: { merchantId } }),
    db.commission.findMany({ where: { conversion: { merchantId } } }),
    db.outboxEvent.findMany({ where: { merchantId } }),
  ]);
  return { conversions, commissions, events };
}

describe("postbacks when the database fails", () => {
  let api: PostbackClient;
  let killNext: "create" | "transition" | null = null;

  beforeAll(async () => {
    api = await startPostbackServer({
      pool: ownPool(),
      hooks: {
        beforeCreate: async (client) => {
          if (killNext === "create") await killBackend(client);
        },
        midTransaction: async (client) => {
          if (killNext === "transition") await killBackend(client);
        },
      },
    });
  });
  afterAll(() => api.close());

  it("answers 503 when the connection dies right before the write, writes nothing, and the retry succeeds", async () => {
    const { merchant, link } = await createProgram();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("kill") };
    killNext = "create";
    const failed = await api.get(params);
    killNext = null;
    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("5");
    expect(failed.body).toEqual({ error: { code: "unavailable", message: expect.any(String) } });
    expect(await writtenFor(merchant.id)).toEqual({ conversions: [], commissions: [], events: [] });

    const retried = await api.get(params);
    expect(retried).toMatchObject({ status: 200, body: { status: "created", duplicate: false } });
    const after = await writtenFor(merchant.id);
    expect([after.conversions.length, after.commissions.length, after.events.length]).toEqual([1, 1, 2]);
  });

  it("rolls a refund back whole when the connection dies mid-transaction", async () => {
    const { merchant, link } = await createProgram();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("kill") };
    expect((await api.get(params)).status).toBe(200);

    killNext = "transition"; // after the conversion's UPDATE, before the commission's
    const failed = await api.get({ ...params, status: "refunded" });
    killNext = null;
    expect(failed.status).toBe(503);
    const during = await writtenFor(merchant.id);
    expect(during.conversions[0]!.status).toBe("PENDING");
    expect(during.commissions[0]!.status).toBe("PENDING");
    expect(during.events.map((e) => e.type)).toEqual(["conversion.created", "commission.created"]);
    expect(await db.postbackLog.count({ where: { merchantId: merchant.id, reasonCode: "refunded" } })).toBe(0);

    expect((await api.get({ ...params, status: "refunded" })).body).toMatchObject({ status: "refunded" });
    const after = await writtenFor(merchant.id);
    expect(after.conversions[0]!.status).toBe("REFUNDED");
    expect(after.commissions[0]!.status).toBe("REVERSED");
  });
});

describe("postbacks when the database is unreachable", () => {
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let api: PostbackClient;

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL!);
    proxy = await startTcpProxy(url.hostname, Number(url.port));
    api = await startPostbackServer({ pool: ownPool(proxy.urlFor(process.env.DATABASE_URL!)) });
  });
  afterAll(async () => {
    await api.close();
    await proxy.close();
  });

  it("answers 503 with Retry-After while the network to the database is cut, then recovers", async () => {
    const { merchant, link } = await createProgram();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("down") };
    expect((await api.get({ ...params, txn_id: unique("warm") })).status).toBe(200); // pooled connections exist

    proxy.down();
    const answers = await Promise.all(Array.from({ length: 5 }, () => api.get(params)));
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("5");
    }
    expect(await db.conversion.count({ where: { merchantId: merchant.id, txnId: params.txn_id } })).toBe(0);

    proxy.up();
    expect((await api.get(params)).body).toMatchObject({ status: "created" });
  });

  it("answers 503 when the database itself is gone", async () => {
    const { merchant, link } = await createProgram();
    const gone = await startPostbackServer({ pool: ownPool(withDatabase(process.env.DATABASE_URL!, `dropped_${unique("db").replace("-", "_")}`)) });
    try {
      const res = await gone.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("gone") });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe("unavailable");
    } finally {
      await gone.close();
    }
  });
});
