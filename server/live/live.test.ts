// The live stream on a real PostgreSQL: events written by the triggers in the facts' own transactions, read by
// hubs (two here, as two instances would), scoped by role, resumed from a cursor without gaps or repeats, and
// released in id order even when transactions commit out of order.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getPool } from "../db";
import { env } from "../env";
import { startPostbackServer, type PostbackClient } from "../conversions/testing";
import { clickIdFor, createClicks, createConversion, createProgram } from "../testing/fixtures";
import { type ServerProcess, startServerProcess } from "../testing/server-process";
import { emitClick, deliverClickEvents } from "../tracking/click-events";
import { ClickSummaries } from "./clicks";
import type { LiveEvent, LiveScope } from "./events";
import { LiveHub } from "./hub";
import { affiliateToday, recentActivity } from "./queries";
import { liveEvents } from "./stream";

type Program = Awaited<ReturnType<typeof createProgram>>;

/** Collects what a scope's subscriber receives from `hub`. */
function collect(hub: LiveHub, scope: LiveScope) {
  const events: LiveEvent[] = [];
  const stop = hub.subscribe(scope, (batch) => events.push(...(JSON.parse(batch.json) as LiveEvent[])));
  return { events, stop };
}

async function until<T>(check: () => T | undefined | false, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const txnOf = (e: LiveEvent) => (e.kind === "postback" ? (e.data.txnId as string | undefined) : undefined);

let a: Program;
let b: Program;
let hubs: LiveHub[];
let postbacks: PostbackClient;

beforeAll(async () => {
  [a, b] = await Promise.all([createProgram(), createProgram()]);
  hubs = await Promise.all([0, 1].map(() => new LiveHub({ pool: getPool(), databaseUrl: env().DATABASE_URL, pollMs: 5_000 }).start()));
  postbacks = await startPostbackServer();
});

afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
  await postbacks.close();
});

const send = (program: Program, txn: string, extra: Record<string, string> = {}) =>
  postbacks.get({ token: program.merchant.postbackToken ?? undefined, click_id: clickIdFor(program.link.id), txn_id: txn, amount: "49.90", ...extra });

describe("live events", () => {
  it("a postback's event reaches every hub, with what the live page shows", async () => {
    const [first, second] = hubs.map((h) => collect(h, { role: "MANAGER" }));
    const txn = `live-${Date.now()}`;
    expect((await send(a, txn)).status).toBe(200);
    for (const seen of [first!, second!]) {
      const event = await until(() => seen.events.find((e) => txnOf(e) === txn));
      expect(event.data).toMatchObject({ outcome: "ACCEPTED", reasonCode: "created" });
      expect(event.data.conversion).toMatchObject({ affiliateId: a.affiliate.id, affiliateName: a.affiliate.name, linkSlug: a.link.slug, offerName: a.offer.name, amountMinor: 4990, fraudDecision: "PASS" });
      expect((event.data.conversion as { commission: unknown }).commission).toMatchObject({ status: "PENDING" });
    }
    // a retry is a duplicate event, a refusal carries its reason
    await send(a, txn);
    await postbacks.get({ token: a.merchant.postbackToken ?? undefined, click_id: "forged", txn_id: `${txn}-bad` });
    await until(() => first!.events.find((e) => txnOf(e) === txn && e.data.outcome === "DUPLICATE"));
    const refused = await until(() => first!.events.find((e) => txnOf(e) === `${txn}-bad`));
    expect(refused.data).toMatchObject({ outcome: "REJECTED", httpStatus: 400 });
    first!.stop();
    second!.stop();
  });

  it("each role sees only its own: manager the program, affiliate their sales, merchant their offers'", async () => {
    const manager = collect(hubs[0]!, { role: "MANAGER" });
    const affiliate = collect(hubs[0]!, { role: "AFFILIATE", affiliateId: a.affiliate.id });
    const merchant = collect(hubs[1]!, { role: "MERCHANT", merchantId: a.merchant.id });
    const mine = `scope-a-${Date.now()}`;
    const theirs = `scope-b-${Date.now()}`;
    await send(a, mine);
    await send(b, theirs);
    await send(a, mine); // a duplicate: the merchant's, not the affiliate's
    await until(() => manager.events.filter((e) => txnOf(e) === mine).length === 2 && manager.events.some((e) => txnOf(e) === theirs));
    await hubs[0]!.settle();
    await hubs[1]!.settle();
    const text = (events: LiveEvent[]) => JSON.stringify(events);
    expect(affiliate.events.map(txnOf).filter(Boolean)).toEqual([]); // txn ids are the merchant's
    const affiliateSales = affiliate.events.filter((e) => e.kind === "postback");
    expect(affiliateSales).toHaveLength(1);
    expect(affiliateSales[0]!.data).toMatchObject({ outcome: "ACCEPTED", conversion: { linkSlug: a.link.slug } });
    expect(affiliateSales[0]!.data.conversion).not.toHaveProperty("flags");
    expect(affiliateSales[0]!.data.conversion).not.toHaveProperty("fraudScore");
    expect(text(affiliate.events)).not.toContain(b.affiliate.id);
    expect(merchant.events.filter((e) => txnOf(e) === mine).map((e) => e.data.outcome)).toEqual(["ACCEPTED", "DUPLICATE"]);
    expect(text(merchant.events)).not.toContain(theirs);
    expect(text(merchant.events)).not.toContain(b.merchant.id);
    expect(text(merchant.events)).not.toContain(a.affiliate.name); // the merchant sees the link, not who is behind it
    for (const s of [manager, affiliate, merchant]) s.stop();
  });

  it("commission changes and fraud flags are events; flags only for managers", async () => {
    const manager = collect(hubs[0]!, { role: "MANAGER" });
    const affiliate = collect(hubs[0]!, { role: "AFFILIATE", affiliateId: a.affiliate.id });
    const txn = `commission-${Date.now()}`;
    const answer = await send(a, txn);
    const conversionId = answer.body.conversion_id as string;
    const pool = getPool();
    await pool.query(`INSERT INTO fraud_flags (code, severity, explanation, "affiliateId", "conversionId") VALUES ('fast_conversion', 60, 'from 203.0.113.9', $1, $2)`, [a.affiliate.id, conversionId]);
    await pool.query(`UPDATE commissions SET status = 'APPROVED' WHERE "conversionId" = $1`, [conversionId]);
    const approved = await until(() => affiliate.events.find((e) => e.kind === "commission" && e.data.conversionId === conversionId));
    expect(approved.data).toMatchObject({ status: "APPROVED", previous: "PENDING" });
    const flag = await until(() => manager.events.find((e) => e.kind === "fraud.flag" && e.data.conversionId === conversionId));
    expect(JSON.stringify(flag.data)).toContain("203.0.113.9");
    await hubs[0]!.settle();
    expect(JSON.stringify(affiliate.events)).not.toContain("203.0.113.9");
    manager.stop();
    affiliate.stop();
  });

  it("releases events in id order: a row behind a transaction still open waits for its commit", async () => {
    // a hub of its own that waits longer for a hole than this test takes on a slow machine (and not much longer:
    // other test files' rolled-back writes leave holes too)
    const hub = await new LiveHub({ pool: getPool(), databaseUrl: env().DATABASE_URL, gapMs: 5_000 }).start();
    const seen = collect(hub, { role: "MANAGER" });
    const slow = new pg.Client({ connectionString: env().DATABASE_URL });
    await slow.connect();
    try {
      await slow.query("BEGIN");
      const { rows } = await slow.query<{ id: string }>(`INSERT INTO live_events (kind, data) VALUES ('payout', '{"test":"slow"}') RETURNING id::text`);
      const fast = await getPool().query<{ id: string }>(`INSERT INTO live_events (kind, data) VALUES ('payout', '{"test":"fast"}') RETURNING id::text`);
      await getPool().query(`SELECT pg_notify('live', '')`);
      await new Promise((r) => setTimeout(r, 500)); // several reads (wake-ups retry a hole every 10 ms)
      expect(seen.events.map((e) => e.id)).not.toContain(fast.rows[0]!.id); // held behind the open transaction
      await slow.query("COMMIT");
      await until(() => seen.events.some((e) => e.id === fast.rows[0]!.id), 10_000);
      const ids = seen.events.map((e) => e.id);
      expect(ids.indexOf(rows[0]!.id)).toBeLessThan(ids.indexOf(fast.rows[0]!.id));
    } finally {
      await slow.end();
      seen.stop();
      await hub.stop();
    }
  });

  it("orders ids as numbers when a batch crosses a power of ten (9 → 10, 99 → 100, …)", async () => {
    const pool = getPool();
    const { rows } = await pool.query<{ last: string }>(`SELECT last_value::text AS last FROM live_events_id_seq`);
    const next = 10n ** BigInt(rows[0]!.last.length + 1);
    await pool.query(`SELECT setval('live_events_id_seq', $1)`, [(next - 3n).toString()]);
    await pool.query(`INSERT INTO live_events (kind, data) VALUES ('payout', '{}')`);
    const hub = await new LiveHub({ pool, gapMs: 5_000, pollMs: 60_000 }).start();
    const seen = collect(hub, { role: "MANAGER" });
    try {
      await pool.query(`INSERT INTO live_events (kind, data) SELECT 'payout', '{}' FROM generate_series(1, 5)`);
      await hub.settle();
      const ids = seen.events.map((e) => BigInt(e.id)).filter((id) => id >= next - 1n && id <= next + 3n);
      expect(ids).toEqual([next - 1n, next, next + 1n, next + 2n, next + 3n]);
    } finally {
      seen.stop();
      await hub.stop();
    }
  });

  it("a hole left by a rolled-back transaction is passed after the wait", async () => {
    const hub = new LiveHub({ pool: getPool(), gapMs: 300, pollMs: 50 });
    await hub.start();
    const seen = collect(hub, { role: "MANAGER" });
    const client = await getPool().connect();
    try {
      await client.query("BEGIN");
      await client.query(`INSERT INTO live_events (kind, data) VALUES ('payout', '{}')`);
      await client.query("ROLLBACK");
      const after = await getPool().query<{ id: string }>(`INSERT INTO live_events (kind, data) VALUES ('payout', '{}') RETURNING id::text`);
      await until(() => seen.events.some((e) => e.id === after.rows[0]!.id), 3_000);
    } finally {
      client.release();
      seen.stop();
      await hub.stop();
    }
  });

  it("a resumed stream gets exactly what it missed: no gap, no repeat", async () => {
    const hub = hubs[1]!;
    const scope: LiveScope = { role: "MERCHANT", merchantId: a.merchant.id };
    const controller = new AbortController();
    const stream = liveEvents(hub, scope, null, controller.signal);
    const first = await stream.next();
    const start = (first.value as unknown as [string, string])[0];
    const received: string[] = [];
    let cursor = start;
    const before = `resume-1-${Date.now()}`;
    await send(a, before);
    for (;;) {
      const next = await stream.next();
      const [id, data] = next.value as unknown as [string, string];
      cursor = id;
      received.push(...(JSON.parse(data) as LiveEvent[]).map((e) => txnOf(e)!));
      if (received.includes(before)) break;
    }
    controller.abort();
    await stream.return(undefined);
    expect(hub.subscriberCount).toBe(0);
    // while disconnected
    const missed = [`resume-2-${Date.now()}`, `resume-3-${Date.now()}`];
    for (const txn of missed) await send(a, txn);
    await hub.settle();
    const again = new AbortController();
    const resumed = liveEvents(hub, scope, cursor, again.signal);
    const got: string[] = [];
    const after = `resume-4-${Date.now()}`;
    const catchUp = await resumed.next();
    got.push(...(JSON.parse((catchUp.value as unknown as [string, string])[1]) as LiveEvent[]).map((e) => txnOf(e)!));
    await send(a, after);
    while (!got.includes(after)) {
      const next = await resumed.next();
      got.push(...(JSON.parse((next.value as unknown as [string, string])[1]) as LiveEvent[]).map((e) => txnOf(e)!));
    }
    again.abort();
    await resumed.return(undefined);
    expect(got).toEqual([...missed, after]);
    expect(start).not.toBe(cursor);
  });

  it("a resume older than the hub's memory is read from the table", async () => {
    const small = await new LiveHub({ pool: getPool(), ringSize: 1, pollMs: 50 }).start();
    try {
      const from = small.lastId;
      const txns = [`ring-1-${Date.now()}`, `ring-2-${Date.now()}`];
      for (const txn of txns) await send(b, txn);
      await small.settle();
      const { events } = await small.since({ role: "MERCHANT", merchantId: b.merchant.id }, from);
      expect(events.map(txnOf)).toEqual(txns);
    } finally {
      await small.stop();
    }
  });

  it("clicks are one row per second and affiliate-offer pair, not one per click", async () => {
    const summaries = new ClickSummaries(getPool()).start();
    const seen = collect(hubs[0]!, { role: "AFFILIATE", affiliateId: b.affiliate.id });
    try {
      const second = Math.floor(Date.now() / 1000) - 1;
      for (let i = 0; i < 500; i++) {
        emitClick({ clickId: `c${i}`, linkId: b.link.id, affiliateId: b.affiliate.id, offerId: b.offer.id, at: second * 1000 + (i % 1000), ip: null, userAgent: null, isBot: i % 10 === 0, isRepeat: false, billable: i % 10 !== 0 });
      }
      deliverClickEvents();
      await summaries.flush();
      const event = await until(() => seen.events.find((e) => e.kind === "clicks"));
      expect(event.data).toEqual({ second, offerId: b.offer.id, clicks: 500, billable: 450 });
      const rows = await getPool().query(`SELECT 1 FROM live_events WHERE kind = 'clicks' AND "affiliateId" = $1`, [b.affiliate.id]);
      expect(rows.rowCount).toBe(1);
    } finally {
      seen.stop();
      await summaries.stop();
    }
  });
});

describe("the live page's history", () => {
  it("is read up to the cursor the page's stream started after, so the two meet exactly", async () => {
    const insert = async (txn: string) =>
      (await getPool().query<{ id: string }>(`INSERT INTO live_events (kind, data) VALUES ('postback', $1) RETURNING id::text`, [{ txnId: txn, reasonCode: "created", outcome: "ACCEPTED" }])).rows[0]!.id;
    const before = await insert("history-before");
    const after = await insert("history-after"); // committed after the stream started: the stream brings it
    const recent = await recentActivity(getPool(), { upTo: before });
    expect(recent.cursor).toBe(before);
    expect(recent.feed.map((e) => e.id)).toContain(before);
    expect(recent.feed.map((e) => e.id)).not.toContain(after);
    expect(recent.feed.every((e) => BigInt(e.id) <= BigInt(before))).toBe(true);
    expect((await recentActivity(getPool(), { upTo: after })).feed.map((e) => e.id)).toContain(after);
  });
});

describe("an affiliate's day so far", () => {
  it("counts today's clicks, conversions and unreversed commission, by currency, and nothing of yesterday", async () => {
    const p = await createProgram();
    const yesterday = new Date(Date.now() - 86_400_000 - 60_000);
    await createClicks(p.link, 3);
    await createClicks(p.link, 5, { at: yesterday });
    await createConversion(p.link, { commission: { amountMinor: 1_250 } });
    await createConversion(p.link, { commission: { amountMinor: 999, status: "REVERSED" } });
    await createConversion(p.link, { at: yesterday, commission: { amountMinor: 7_000 } });
    const today = await affiliateToday(getPool(), p.affiliate.id);
    expect(today).toMatchObject({ clicks: 3, conversions: 2, commission: [{ currency: "EUR", amountMinor: 1_250n }] });
  });
});

describe("two server processes on one database", () => {
  let other: ServerProcess;
  beforeAll(async () => {
    other = await startServerProcess();
  }, 60_000);
  afterAll(async () => {
    await other?.stop();
  });

  it("a conversion posted to the other instance appears on this instance's stream", async () => {
    const seen = collect(hubs[0]!, { role: "MANAGER" });
    const txn = `other-${Date.now()}`;
    const query = new URLSearchParams({ token: a.merchant.postbackToken!, click_id: clickIdFor(a.link.id), txn_id: txn, amount: "10.00" });
    const answer = await fetch(`${other.url}/api/postback?${query}`);
    expect(answer.status).toBe(200);
    const event = await until(() => seen.events.find((e) => txnOf(e) === txn));
    expect(event.data).toMatchObject({ outcome: "ACCEPTED" });
    seen.stop();
  });
});
