// One per server instance: reads live_events in id order and hands each subscriber what its role may see.
//
// Wake-up: LISTEN live on a dedicated connection (every writer NOTIFYs in its transaction), plus a poll every
// `pollMs` (a lost notification or a lost LISTEN connection only delays). A read takes the rows after the last id
// delivered, so the cost is one query per wake-up for the instance, whatever the number of subscribers.
//
// Order: ids come from a sequence when a row is inserted, while transactions commit in any order: a row of id 105
// can be visible while 104's transaction is still running. Events are released strictly in id order — rows above a
// missing id wait until it appears or `gapMs` passed (a rolled-back transaction leaves a hole for good) — so a
// client's last event id is a complete cursor: "everything up to here was delivered". A transaction that commits
// later than `gapMs` after a younger one has its events skipped on the live path (they stay in the table).
//
// Subscribers get batches: one array per read, grouped once by view key (managers, each affiliate, each merchant)
// and serialised once per distinct view — its JSON and, for our own SSE writer (sse.ts), its whole SSE frame — so
// 100 subscribers cost 100 socket writes per batch, not 100 serialisations of every event.
import pg from "pg";
import { type LiveEvent, type LiveKind, type LiveRow, type LiveScope, scopeKey, viewFor, visibleTo } from "./events";
import { trackedFrame } from "./sse";
import { logLine } from "../log";

export interface LiveBatch {
  /** The last id this batch covers (the SSE event id; may be beyond its last visible event). */
  lastId: string;
  /** JSON of LiveEvent[] for the subscriber's view. */
  json: string;
  /** The batch as one SSE message (`data:` + `id:`), built on first use and shared by the view's subscribers. */
  readonly frame: string;
  count: number;
}

function batchOf(lastId: string, events: LiveEvent[]): LiveBatch {
  const json = JSON.stringify(events);
  let frame: string | undefined;
  return {
    lastId,
    json,
    count: events.length,
    get frame() {
      return (frame ??= trackedFrame(lastId, json));
    },
  };
}

/** The rows each view key may see, in one pass: managers all, an affiliate or a merchant the rows naming them. */
function rowsByView(rows: LiveRow[]): Map<string, LiveRow[]> {
  const groups = new Map<string, LiveRow[]>([[scopeKey({ role: "MANAGER" }), rows]]);
  const add = (key: string, row: LiveRow) => {
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  };
  for (const row of rows) {
    if (row.affiliateId) add(scopeKey({ role: "AFFILIATE", affiliateId: row.affiliateId }), row);
    if (row.merchantId) add(scopeKey({ role: "MERCHANT", merchantId: row.merchantId }), row);
  }
  return groups;
}

export interface HubOptions {
  pool: pg.Pool;
  /** For the LISTEN connection (never a pooled one); none: poll only. */
  databaseUrl?: string;
  pollMs?: number;
  gapMs?: number;
  /** Rows read per query. */
  readLimit?: number;
  /** Recent rows kept in memory, for resumes without a query. */
  ringSize?: number;
  /**
   * Reads start at most this often: under a high event rate, wake-ups within it are one read and one batch per
   * subscriber (fewer socket writes per event), at the cost of at most this much latency.
   */
  batchMs?: number;
  log?: (line: string) => void;
}

type Deliver = (batch: LiveBatch) => void;

interface Subscriber {
  scope: LiveScope;
  key: string;
  deliver: Deliver;
}

const SELECT = `SELECT id::text AS id, kind, "affiliateId", "merchantId", data, (extract(epoch FROM "createdAt") * 1000)::float8 AS at FROM live_events`;

type RawRow = Omit<LiveRow, "at"> & { at: number };

export class LiveHub {
  private readonly pool: pg.Pool;
  private readonly opts: Required<Omit<HubOptions, "pool" | "databaseUrl">> & { databaseUrl?: string };
  private readonly subscribers = new Set<Subscriber>();
  /** Last id released to subscribers (as bigint). */
  private delivered = -1n;
  private gapSince: number | null = null;
  private ring: LiveRow[] = [];
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private listener: pg.Client | null = null;
  private pollTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private batchTimer: NodeJS.Timeout | undefined;
  private lastReadStart = 0;
  private gapTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private backoffMs = 200;
  /** Whether the last read reached the database; with the time of the last success. */
  status = { connected: false, lastReadAt: 0, lastError: null as string | null, listening: false };
  /** Events released since start (for the operations page). */
  released = 0;

  constructor(options: HubOptions) {
    this.pool = options.pool;
    this.opts = { pollMs: 1_000, gapMs: 1_000, readLimit: 5_000, ringSize: 20_000, batchMs: 100, log: logLine, ...options };
  }

  /** Starts after the newest row (subscribers get what happens from now on, plus what they resume). */
  async start(): Promise<this> {
    const { rows } = await this.pool.query<{ id: string | null }>(`SELECT max(id)::text AS id FROM live_events`);
    this.delivered = BigInt(rows[0]?.id ?? "0");
    this.status.connected = true;
    this.status.lastReadAt = Date.now();
    if (this.opts.databaseUrl) await this.listen().catch(() => this.scheduleReconnect());
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollMs);
    this.pollTimer.unref();
    this.pruneTimer = setInterval(() => void this.prune().catch(() => {}), 60_000);
    this.pruneTimer.unref();
    return this;
  }

  /**
   * Deletes events older than an hour (a client away longer starts afresh), 10,000 per statement, by one hub at a
   * time (a transaction-level advisory lock).
   */
  async prune(olderThan = "1 hour"): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { rows } = await this.pool.query<{ n: number }>(
        `WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtext('live_events_prune')) AS ok),
         gone AS (DELETE FROM live_events WHERE id IN (
           SELECT id FROM live_events WHERE "createdAt" < now() - $1::interval AND (SELECT ok FROM lock) ORDER BY id LIMIT 10000)
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [olderThan],
      );
      deleted += rows[0]!.n;
      if (rows[0]!.n < 10_000) return deleted;
    }
  }

  get lastId(): string {
    return this.delivered.toString();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(scope: LiveScope, deliver: Deliver): () => void {
    const subscriber: Subscriber = { scope, key: scopeKey(scope), deliver };
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /**
   * What `scope` missed after `afterId`, up to the last id released (`upTo`): from memory when the ring still holds
   * it, else from the table. Returns the events and the cursor they lead to.
   */
  async since(scope: LiveScope, afterId: string, max = 5_000): Promise<{ events: LiveEvent[]; lastId: string }> {
    const after = BigInt(afterId);
    const upTo = this.delivered;
    if (after >= upTo) return { events: [], lastId: after.toString() };
    const oldest = this.ring[0];
    let rows: LiveRow[];
    if (oldest && BigInt(oldest.id) <= after + 1n) {
      rows = this.ring.filter((r) => BigInt(r.id) > after && BigInt(r.id) <= upTo && visibleTo(scope, r));
    } else {
      const where = scope.role === "MANAGER" ? "" : scope.role === "AFFILIATE" ? `AND "affiliateId" = $4` : `AND "merchantId" = $4`;
      const params: unknown[] = [after.toString(), upTo.toString(), max];
      if (scope.role === "AFFILIATE") params.push(scope.affiliateId);
      if (scope.role === "MERCHANT") params.push(scope.merchantId);
      const result = await this.pool.query<RawRow>(`${SELECT} WHERE id > $1 AND id <= $2 ${where} ORDER BY live_events.id DESC LIMIT $3`, params);
      rows = result.rows.reverse();
    }
    if (rows.length > max) rows = rows.slice(-max);
    return { events: rows.map((r) => viewFor(scope, r)), lastId: upTo.toString() };
  }

  /** Reads now (also what NOTIFY and the poll call); concurrent calls coalesce into one more read. */
  wake(): void {
    if (this.stopped) return;
    if (this.reading || this.batchTimer) {
      this.again = true;
      return;
    }
    const wait = this.lastReadStart + this.opts.batchMs - Date.now();
    if (wait > 0) {
      this.batchTimer = setTimeout(() => {
        this.batchTimer = undefined;
        this.again = false;
        this.wake();
      }, wait);
      return;
    }
    this.lastReadStart = Date.now();
    this.reading = this.read()
      .catch((error: Error) => {
        if (this.status.connected) this.opts.log(`[live] reading events failed: ${error.message}`);
        this.status.connected = false;
        this.status.lastError = error.message;
      })
      .finally(() => {
        this.reading = null;
        if (this.again && !this.batchTimer) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Resolves once everything committed before the call has been read (tests). */
  async settle(): Promise<void> {
    this.wake();
    for (;;) {
      if (this.reading) await this.reading;
      else if (this.batchTimer || this.gapTimer || this.gapSince !== null) await new Promise((r) => setTimeout(r, 10));
      else return;
    }
  }

  private async read(): Promise<void> {
    for (;;) {
      const { rows } = await this.pool.query<RawRow>(`${SELECT} WHERE id > $1 ORDER BY live_events.id LIMIT $2`, [this.delivered.toString(), this.opts.readLimit]);
      this.status.connected = true;
      this.status.lastError = null;
      this.status.lastReadAt = Date.now();
      const ready: LiveRow[] = [];
      let expected = this.delivered + 1n;
      for (const row of rows) {
        const id = BigInt(row.id);
        if (id !== expected) {
          const now = Date.now();
          this.gapSince ??= now;
          if (now - this.gapSince < this.opts.gapMs) {
            this.retryGapSoon();
            break;
          }
        }
        this.gapSince = null;
        ready.push(row as LiveRow);
        expected = id + 1n;
      }
      if (ready.length === 0) return;
      if (ready.length === rows.length) this.gapSince = null;
      this.delivered = BigInt(ready.at(-1)!.id);
      this.remember(ready);
      this.release(ready);
      if (rows.length < this.opts.readLimit || ready.length < rows.length) return;
    }
  }

  private retryGapSoon() {
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      this.wake();
    }, 10);
    this.gapTimer.unref();
  }

  private remember(rows: LiveRow[]) {
    this.ring.push(...rows);
    if (this.ring.length > this.opts.ringSize) this.ring.splice(0, this.ring.length - this.opts.ringSize);
  }

  private release(rows: LiveRow[]) {
    this.released += rows.length;
    if (this.subscribers.size === 0) return;
    const lastId = rows.at(-1)!.id;
    const visible = rowsByView(rows);
    const views = new Map<string, LiveBatch | null>();
    for (const subscriber of this.subscribers) {
      let batch = views.get(subscriber.key);
      if (batch === undefined) {
        const mine = visible.get(subscriber.key);
        batch = mine ? batchOf(lastId, mine.map((row) => viewFor(subscriber.scope, row))) : null;
        views.set(subscriber.key, batch);
      }
      if (batch) {
        try {
          subscriber.deliver(batch);
        } catch (error) {
          this.opts.log(`[live] subscriber failed: ${(error as Error).message}`);
        }
      }
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.opts.databaseUrl, application_name: "live-listener", connectionTimeoutMillis: 5_000 });
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    client.on("notification", () => this.wake());
    await client.connect();
    await client.query("LISTEN live");
    if (this.stopped) return void client.end().catch(() => {});
    this.listener = client;
    this.status.listening = true;
    this.backoffMs = 200;
    this.wake(); // whatever was written while we were not listening
  }

  private lost(client: pg.Client) {
    if (this.listener !== client) return;
    this.listener = null;
    this.status.listening = false;
    client.end().catch(() => {});
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.listen().catch(() => this.scheduleReconnect());
    }, this.backoffMs);
    this.reconnectTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, 5_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearInterval(this.pruneTimer);
    clearTimeout(this.batchTimer);
    clearTimeout(this.gapTimer);
    clearTimeout(this.reconnectTimer);
    this.subscribers.clear();
    await this.reading?.catch(() => {});
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => {});
  }
}

export const LIVE_KINDS: readonly LiveKind[] = ["clicks", "postback", "commission", "fraud.flag", "webhook", "payout"];
