import pg from "pg";
import client from "prom-client";
import { afterAll, describe, expect, it } from "vitest";
import { getPool } from "../db";
import { env } from "../env";
import { startTcpProxy } from "../testing/tcp-proxy";
import { createClickIdCodec } from "./click-id";
import { ClickSink, type ClickWriter } from "./click-sink";
import { pgClickWriter } from "./click-writer";
import { sinkObserver } from "./metrics";
import type { ClickRecord } from "./redirect";

const codec = createClickIdCodec("sink-test-secret-0123456789abcdef0123");
// clicks has no foreign keys: each test uses its own link id, far from real ones, to count its rows.
const freshLinkId = () => 1_000_000_000 + Math.floor(Math.random() * 1_000_000_000);

function click(linkId: number, over: Partial<ClickRecord> = {}): ClickRecord {
  const at = Date.now();
  return {
    clickId: codec.sign(linkId, at), linkId, affiliateId: "aff", offerId: "off", at, ip: "203.0.113.1", userAgent: "ua", referer: null,
    sub1: null, sub2: null, sub3: null, sub4: null, sub5: null, billable: true, isBot: false, isRepeat: false, ...over,
  };
}

async function stored(linkId: number): Promise<number> {
  const { rows } = await getPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM clicks WHERE "linkId" = $1`, [linkId]);
  return rows[0]!.n;
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const values = (await client.register.getSingleMetric(name)!.get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((sum, v) => sum + v.value, 0);
}

afterAll(async () => {
  await getPool().end();
});

describe("click sink", () => {
  it("writes one insert per batch: when a batch fills, and the rest at the flush interval", async () => {
    const linkId = freshLinkId();
    const sizes: number[] = [];
    const write = pgClickWriter(getPool());
    const sink = new ClickSink({ write: (b) => (sizes.push(b.length), write(b)), batchSize: 100, flushMs: 50, maxBuffered: 10_000 }).start();
    for (let i = 0; i < 250; i++) expect(sink.push(click(linkId))).toBe(true);
    expect(sizes).toEqual([]); // nothing is written on the pushing call stack
    await until(() => sink.depth === 0);
    expect(sizes).toEqual([100, 100, 50]);
    expect(await stored(linkId)).toBe(250);
    await sink.flushAll();
  });

  it("stores every field as given, including quotes, backslashes, the text NULL, and the time of the click id", async () => {
    const linkId = freshLinkId();
    const sink = new ClickSink({ write: pgClickWriter(getPool()), batchSize: 10, flushMs: 20, maxBuffered: 100 });
    const odd = click(linkId, {
      ip: null, userAgent: 'Agent "quoted" \\ back\\slash, {braces}', referer: "https://ref.example/?a=1,2\r\nline\\.",
      sub1: "NULL", sub2: "", sub3: "tab\there", sub4: "é✓", sub5: "\\N", billable: false, isBot: true, isRepeat: true,
    });
    sink.push(odd);
    await sink.flushAll();
    const { rows } = await getPool().query(`SELECT * FROM clicks WHERE id = $1`, [odd.clickId]);
    expect(rows[0]).toEqual({
      id: odd.clickId, linkId, affiliateId: "aff", offerId: "off", createdAt: new Date(odd.at), ip: null, userAgent: odd.userAgent,
      referer: odd.referer, sub1: "NULL", sub2: "", sub3: "tab\there", sub4: "é✓", sub5: "\\N", billable: false, isBot: true, isRepeat: true,
    });
    const claims = codec.verify(odd.clickId);
    expect(claims.ok && claims.clickedAt).toEqual(rows[0].createdAt);
  });

  it("a retry that may find its rows stored skips them; a first attempt is one COPY that refuses a stored id", async () => {
    const linkId = freshLinkId();
    const write = pgClickWriter(getPool());
    const batch = [click(linkId), click(linkId)];
    await write(batch);
    await write([...batch, click(linkId)], { mayExist: true });
    expect(await stored(linkId)).toBe(3);
    await expect(write([click(linkId), batch[0]!])).rejects.toMatchObject({ code: "23505" });
    expect(await stored(linkId)).toBe(3); // the COPY is one statement: its new row went with it
  });

  it("a write that committed but lost its answer is retried without duplicates and without counting drops", async () => {
    const linkId = freshLinkId();
    const write = pgClickWriter(getPool());
    const attempts: boolean[] = [];
    const answerLost: ClickWriter = async (batch, attempt) => {
      attempts.push(attempt?.mayExist ?? false);
      await write(batch, attempt);
      if (attempts.length === 1) throw new Error("Connection terminated unexpectedly");
    };
    const dropped = await metric("clicks_dropped_total");
    const sink = new ClickSink({ write: answerLost, batchSize: 50, flushMs: 10, maxBuffered: 1_000, observer: sinkObserver, log: () => {} });
    for (let i = 0; i < 30; i++) sink.push(click(linkId));
    await sink.flushAll();
    expect(attempts).toEqual([false, true]);
    expect(await stored(linkId)).toBe(30);
    expect(await metric("clicks_dropped_total")).toBe(dropped);
  });

  it("survives the database going down: holds what fits, counts the rest as dropped, writes all it held once back", async () => {
    const target = new URL(env().DATABASE_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const pool = new pg.Pool({ connectionString: proxy.urlFor(env().DATABASE_URL), max: 2, connectionTimeoutMillis: 1_000 });
    pool.on("error", () => {}); // idle clients reset by the outage
    const linkId = freshLinkId();
    const droppedBefore = await metric("clicks_dropped_total", { reason: "buffer_full" });
    const failuresBefore = await metric("click_flush_failures_total");
    const sink = new ClickSink({ write: pgClickWriter(pool), batchSize: 100, flushMs: 50, maxBuffered: 300, observer: sinkObserver, log: () => {} }).start();
    try {
      sink.push(click(linkId)); // connects the pool, so the outage cuts live connections too
      await until(() => sink.depth === 0);

      proxy.down();
      let accepted = 1;
      for (let i = 0; i < 200; i++) accepted += Number(sink.push(click(linkId)));
      await new Promise((r) => setTimeout(r, 2_500)); // down for a few seconds, flushes failing and retrying
      for (let i = 0; i < 150; i++) accepted += Number(sink.push(click(linkId)));
      expect(accepted).toBe(301);
      expect(sink.depth).toBe(300);
      expect(await stored(linkId)).toBe(1);
      expect((await metric("click_flush_failures_total")) - failuresBefore).toBeGreaterThan(0);
      expect((await metric("clicks_dropped_total", { reason: "buffer_full" })) - droppedBefore).toBe(50);

      proxy.up();
      await until(() => sink.depth === 0, 15_000);
      expect(await stored(linkId)).toBe(301);
    } finally {
      await sink.flushAll(1_000);
      await pool.end();
      await proxy.close();
    }
  });

  it("a database that stops answering mid-write fails the write at its timeout, COPY or INSERT, and drops the connection", async () => {
    const target = new URL(env().DATABASE_URL);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    // Like the app's pool: a connection that cannot be made fails too (connectionTimeoutMillis).
    const pool = new pg.Pool({ connectionString: proxy.urlFor(env().DATABASE_URL), max: 2, connectionTimeoutMillis: 1_000 });
    pool.on("error", () => {});
    const write = pgClickWriter(pool, { timeoutMs: 300 });
    try {
      // Two live connections, then the host goes silent: each statement below gets one and waits for an answer.
      await Promise.all([write([click(freshLinkId())]), write([click(freshLinkId())], { mayExist: true })]);
      expect(pool.idleCount).toBe(2);
      proxy.stall();
      for (const attempt of [{}, { mayExist: true }]) {
        await expect(write([click(freshLinkId())], attempt)).rejects.toThrow("Query read timeout");
      }
      expect(pool.totalCount).toBe(0); // both stuck connections were closed, not handed out again
    } finally {
      await pool.end().catch(() => {});
      await proxy.close();
    }
  });

  it("flushAll on shutdown keeps retrying through an outage until the database is back", async () => {
    const linkId = freshLinkId();
    let failures = 3;
    const write = pgClickWriter(getPool());
    // A writer that fails like a lost connection three times: the shutdown flush must not give up.
    const flaky: ClickWriter = async (batch) => {
      if (failures-- > 0) throw Object.assign(new Error("Connection terminated unexpectedly"), { code: undefined });
      await write(batch);
    };
    const sink = new ClickSink({ write: flaky, batchSize: 50, flushMs: 10, maxBuffered: 1_000, log: () => {} });
    for (let i = 0; i < 120; i++) sink.push(click(linkId));
    await sink.flushAll();
    expect(sink.depth).toBe(0);
    expect(await stored(linkId)).toBe(120);
  });

  it("a row the database refuses as data is dropped and counted alone; the good clicks of its batch are written", async () => {
    const linkId = freshLinkId();
    const before = await metric("clicks_dropped_total", { reason: "rejected" });
    const statements: number[] = [];
    const write = pgClickWriter(getPool());
    const sink = new ClickSink({ write: (b) => (statements.push(b.length), write(b)), batchSize: 10, flushMs: 10, maxBuffered: 1_000, observer: sinkObserver, log: () => {} });
    for (let i = 0; i < 25; i++) sink.push(i === 13 ? click(2 ** 31 + 7) : click(linkId)); // linkId beyond int4: 22003
    await sink.flushAll();
    expect(await stored(linkId)).toBe(24);
    expect((await metric("clicks_dropped_total", { reason: "rejected" })) - before).toBe(1);
    expect(statements.length).toBeLessThanOrEqual(3 + 2 * Math.ceil(Math.log2(10))); // halving, not row by row
  });

  it("stores click ids in byte order (collation C), so ORDER BY id is click order on any server locale", async () => {
    const { rows } = await getPool().query(`SELECT collation_name FROM information_schema.columns WHERE table_name = 'clicks' AND column_name = 'id'`);
    expect(rows).toEqual([{ collation_name: "C" }]);
    const linkId = freshLinkId();
    const ids = ["-A", "-a", "0a", "Za", "_a", "aa", "za"].map((p) => p + linkId.toString().padStart(28, "0")); // ascending in the id alphabet
    await pgClickWriter(getPool())(ids.toReversed().map((clickId) => click(linkId, { clickId })));
    const { rows: sorted } = await getPool().query(`SELECT id FROM clicks WHERE "linkId" = $1 ORDER BY id`, [linkId]);
    expect(sorted.map((r) => r.id)).toEqual(ids);
  });
});
