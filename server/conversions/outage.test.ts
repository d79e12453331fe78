// The database failing under a postback, for real: its connection terminated mid-request (pg_terminate_backend
// from another connection), the network to it cut (a TCP proxy that resets), a host that stops answering (a proxy
// that holds connections open and forwards nothing), a statement stuck behind a lock, a database that does not
// exist. Always 503 with Retry-After, never 200, within the postback pool's time limits, and nothing half written
// (nor written later); the retry then succeeds.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { withDatabase } from "../db/local-postgres";
import { clickIdFor, createProgram, unique } from "../testing/fixtures";
import { startTcpProxy } from "../testing/tcp-proxy";
import { POSTBACK_TIMEOUTS, type PostbackTimeouts, createPostbackPool } from "./pool";
import { type PostbackClient, startPostbackServer } from "./testing";

const pools: pg.Pool[] = [];
/** A postback pool as production makes it (time limits included, shortened here unless given). */
function ownPool(connectionString = process.env.DATABASE_URL!, timeouts: PostbackTimeouts = POSTBACK_TIMEOUTS): pg.Pool {
  const pool = createPostbackPool(connectionString, timeouts, 4);
  pool.removeAllListeners("error").on("error", () => {}); // idle clients killed by the tests
  pools.push(pool);
  return pool;
}

/** The answer, or a failure if none comes within `ms` (the bound under test, with a wide margin). */
function within<T>(ms: number, answer: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
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
    db.outboxEvent.findMany({ where: { merchantId }, orderBy: [{ createdAt: "asc" }, { type: "desc" }] }), // one statement's events share createdAt
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

describe("postbacks when the database host stops answering", () => {
  // Short limits so the test is quick; production's are POSTBACK_TIMEOUTS (the same mechanism).
  const timeouts: PostbackTimeouts = { connectMs: 500, statementMs: 500, queryMs: 1_000, idleInTransactionMs: 5_000 };
  const proxies: Awaited<ReturnType<typeof startTcpProxy>>[] = [];
  const servers: PostbackClient[] = [];
  async function stallable() {
    const url = new URL(process.env.DATABASE_URL!);
    const proxy = await startTcpProxy(url.hostname, Number(url.port));
    proxies.push(proxy);
    const server = await startPostbackServer({ pool: ownPool(proxy.urlFor(process.env.DATABASE_URL!), timeouts) });
    servers.push(server);
    return { proxy, api: server };
  }
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(proxies.map((p) => p.close()));
  });

  it("answers 503 with Retry-After when a new connection is accepted but never answered", async () => {
    const { merchant, link } = await createProgram();
    const { proxy, api } = await stallable();
    proxy.stall(); // before the pool has any connection
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("stall") };
    const answer = await within(10 * timeouts.connectMs, api.get(params));
    expect(answer).toMatchObject({ status: 503, body: { error: { code: "unavailable" } } });
    expect(answer.headers.get("retry-after")).toBe("5");
    expect(await db.conversion.count({ where: { merchantId: merchant.id } })).toBe(0);
  });

  it("answers 503 with Retry-After when pooled connections stop answering mid-request", async () => {
    const { merchant, link } = await createProgram();
    const { proxy, api } = await stallable();
    expect((await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("warm") })).status).toBe(200);
    proxy.stall();
    const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("stall") };
    const answers = await within(10 * timeouts.queryMs, Promise.all([api.get(params), api.get(params)]));
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("5");
    }
    expect(await db.conversion.count({ where: { merchantId: merchant.id, txnId: params.txn_id } })).toBe(0);
  });

  it("answers 503 when every pooled connection is busy for longer than the connect limit", async () => {
    const { merchant, link } = await createProgram();
    const pool = createPostbackPool(process.env.DATABASE_URL!, timeouts, 1);
    pools.push(pool);
    const api = await startPostbackServer({ pool });
    const busy = await pool.connect(); // the pool's only connection, held elsewhere
    try {
      const answer = await within(10 * timeouts.connectMs, api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("busy") }));
      expect(answer).toMatchObject({ status: 503, body: { error: { code: "unavailable" } } });
      expect(answer.headers.get("retry-after")).toBe("5");
    } finally {
      busy.release();
      await api.close();
    }
    expect((await api.deps.pool.query("SELECT 1 AS ok")).rows).toEqual([{ ok: 1 }]); // free again: it recovers
  });

  it("has the database cancel a statement stuck behind a lock, so nothing commits after the 503", async () => {
    const { merchant, offer, affiliate, link } = await createProgram();
    const api = await startPostbackServer({ pool: ownPool(process.env.DATABASE_URL!, { ...timeouts, queryMs: 10_000 }) });
    const txn = unique("locked");
    // Another transaction holds (merchant, txn) — the postback's insert waits for it.
    const holder = await getPool().connect();
    try {
      await holder.query("BEGIN");
      await holder.query(
        `INSERT INTO conversions (id, "merchantId", "offerId", "affiliateId", "linkId", "clickId", "clickedAt", "txnId", "amountMinor", currency, status, "updatedAt")
         VALUES (gen_random_uuid()::text, $1, $2, $3, $4, 'held', now(), $5, 0, 'EUR', 'PENDING', now())`,
        [merchant.id, offer.id, affiliate.id, link.id, txn],
      );
      const params = { token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: txn };
      const answer = await within(5_000, api.get(params)); // the server-side limit, well before our 10 s one
      expect(answer).toMatchObject({ status: 503, body: { error: { code: "unavailable" } } });
      await holder.query("ROLLBACK"); // the lock is gone: a statement still waiting would insert now
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await writtenFor(merchant.id)).toEqual({ conversions: [], commissions: [], events: [] });

      expect((await api.get(params)).body).toMatchObject({ status: "created" });
    } finally {
      await holder.query("ROLLBACK").catch(() => {});
      holder.release();
      await api.close();
    }
  });
});
