// The webhook relay: turns outbox rows into signed HTTP deliveries. Any number run at once (in each server process
// and as `npm run worker`); they coordinate only through row locks and leases in the database:
//   - fan-out claims outbox rows with SKIP LOCKED, so each event is fanned out by exactly one relay;
//   - a delivery is leased (leasedUntil = nextAttemptAt = now + lease) by the relay that claims it; a relay that
//     dies mid-send leaves the lease to expire and another relay sends it then. Nothing is lost; under normal
//     operation nothing is sent twice (a crash can cause one duplicate, which the stable webhook-id lets receivers
//     drop). Leases also carry the per-endpoint cap across relays (see claimDeliveries).
// Woken by LISTEN outbox (a dedicated connection that reconnects) and by a 1 s poll as a safety net; retries come
// due through the same poll. A slower maintenance timer prunes what the retention period has passed. The relay has
// its own small pool, so slow endpoints or a backlog never take connections from the request path (postback
// intake).
import pg from "pg";
import { env } from "../env";
import { type Batcher, createBatcher } from "./batcher";
import { observeAttempt, registerRelay } from "./metrics";
import { type AttemptResult, decide } from "./schedule";
import { createHttpSender, type HttpSender } from "./send";
import { openSecret, UnreadableSecretError } from "./secret-box";
import { activeSecrets, signHeaders, type SigningKeys } from "./signing";
import { type DnsLookup, policyFromEnv, type TargetPolicy } from "./ssrf";
import {
  type ClaimedDelivery,
  claimDeliveries,
  disableEndpoint,
  fanOut,
  type AttemptRecord,
  pruneFinished,
  recordAttempts,
  releaseClaims,
} from "./store";
import { OUTBOX_CHANNEL } from "./wake";
import { logLine } from "../log";

export interface RelayOptions {
  connectionString?: string;
  /** Connections of the relay's own pool (fan-out, claims, attempt records). */
  poolSize?: number;
  /** Requests in flight at once, over all endpoints. */
  maxInFlight?: number;
  /** Requests in flight at once to one endpoint, over all relays: what a slow or dead endpoint can hold. */
  perEndpoint?: number;
  /** How long a claim is reserved; past it, another relay may take the delivery (a crashed relay's work). */
  leaseMs?: number;
  /** Fallback poll when no NOTIFY arrives; also what makes retries come due. */
  pollMs?: number;
  /** Outbox rows fanned out per statement. */
  batchSize?: number;
  /** How often retention runs (and once shortly after start). */
  maintenanceMs?: number;
  /** Finished deliveries and processed outbox rows older than this are deleted. Default: WEBHOOK_RETENTION_DAYS. */
  retentionMs?: number;
  timeoutMs?: number;
  policy?: TargetPolicy;
  /** DNS for the SSRF guard's connect-time lookup (tests simulate rebinding); default: the system resolver. */
  dnsLookup?: DnsLookup;
  /** Only these merchants' events and endpoints (tests sharing one database; sharding relays). Default: all. */
  merchantIds?: string[];
  /** Scheduling clock (tests move it forward instead of waiting). Signatures always use the wall clock. */
  now?: () => Date;
  random?: () => number;
  log?: (line: string) => void;
}

interface Flight {
  claim: ClaimedDelivery;
  done: Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

export class WebhookRelay {
  private readonly opts: Required<Omit<RelayOptions, "connectionString" | "policy" | "merchantIds" | "dnsLookup">>;
  private readonly pool: pg.Pool;
  private readonly connectionString: string;
  private readonly merchantIds: string[] | null;
  private readonly sender: HttpSender;
  private readonly abort = new AbortController();
  /** HTTP requests in flight, by delivery id. */
  private readonly flights = new Map<string, Flight>();
  /** Attempt records being written (after their request finished). */
  private readonly writes = new Set<Promise<void>>();
  /** Per endpoint: answered requests whose outcome is still being written (their lease holds no socket). */
  private readonly unrecorded = new Map<string, number>();
  /** Attempt outcomes, written in batches (one commit for all that finished during the previous write). */
  private readonly records: Batcher<AttemptRecord>;
  private listener: pg.Client | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectDelayMs = 500;
  private pollTimer: NodeJS.Timeout | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;
  private maintenance: Promise<unknown> | undefined;
  private running = false;
  private closed = false;
  /** Two loops, so fanning out never delays claiming and the other way round. */
  private readonly outbox = new Signal();
  private readonly deliveries = new Signal();
  private loopsDone: Promise<unknown> | undefined;
  private unregister: (() => void) | undefined;

  constructor(options: RelayOptions = {}) {
    this.opts = {
      poolSize: 4,
      maxInFlight: 256,
      perEndpoint: 8,
      leaseMs: 60_000,
      pollMs: 1_000,
      batchSize: 500,
      maintenanceMs: 10 * 60_000,
      retentionMs: options.retentionMs ?? env().WEBHOOK_RETENTION_DAYS * 24 * 3600e3,
      timeoutMs: 10_000,
      now: () => new Date(),
      random: Math.random,
      log: logLine,
      ...options,
    };
    this.connectionString = options.connectionString ?? env().DATABASE_URL;
    this.merchantIds = options.merchantIds ?? null;
    // Asynchronous commit on the relay's own connections: every write here (fan-out, leases, attempt records) is
    // re-done if a database crash loses its last few hundred milliseconds — the outbox rows themselves are written
    // by the postback path with normal durability — so the worst case is a duplicate delivery (same webhook-id,
    // which receivers dedupe on), never a lost event. It spares each of those commits a WAL flush.
    this.pool = new pg.Pool({ connectionString: this.connectionString, max: this.opts.poolSize, options: "-c synchronous_commit=off" });
    this.pool.on("error", (error) => this.opts.log(`[webhooks] idle client error: ${error.message}`));
    this.records = createBatcher((batch) => recordAttempts(this.pool, batch));
    this.sender = createHttpSender(options.policy ?? policyFromEnv(), this.opts.timeoutMs, options.dnsLookup);
  }

  /** Requests in flight right now (for tests and metrics). */
  get inFlight(): number {
    return this.flights.size;
  }

  async start(): Promise<void> {
    this.running = true;
    this.unregister = registerRelay(this);
    await this.listen();
    this.pollTimer = setInterval(() => this.wake(), this.opts.pollMs);
    this.pollTimer.unref();
    this.scheduleMaintenance(Math.min(30_000, this.opts.maintenanceMs));
    this.loopsDone = Promise.all([
      this.loop(this.outbox, () => this.fanOutAll()),
      this.loop(this.deliveries, () => this.claim()),
    ]);
  }

  /** Something may be due: look at the outbox and the due deliveries now instead of at the next poll. */
  wake(): void {
    this.outbox.raise();
    this.deliveries.raise();
  }

  /**
   * Graceful stop: no new claims, in-flight requests get up to `graceMs` to finish and be recorded; what is still
   * running then is aborted and its lease released so another relay sends it at once.
   */
  async stop(graceMs = 12_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.maintenanceTimer);
    this.wake();
    await this.loopsDone;
    await this.maintenance;
    await this.listener?.end().catch(() => {});
    const settled = Promise.allSettled([...this.flights.values()].map((f) => f.done));
    await Promise.race([settled, sleep(graceMs)]);
    if (this.flights.size > 0) {
      const unfinished = [...this.flights.values()].map((f) => f.claim);
      this.abort.abort();
      await settled;
      await releaseClaims(this.pool, unfinished, this.opts.now()).catch((error) =>
        this.opts.log(`[webhooks] could not release ${unfinished.length} claims (their lease will expire): ${error.message}`),
      );
    }
    await Promise.allSettled([...this.writes]);
    this.unregister?.();
    this.sender.close();
    await this.pool.end();
  }

  /** Without timers or LISTEN: fan out and deliver until nothing is due and nothing is in flight (tests). */
  async runUntilIdle(): Promise<void> {
    for (;;) {
      await this.fanOutAll();
      const claimed = await this.claim();
      if (claimed === 0 && this.flights.size === 0 && this.writes.size === 0) return;
      await Promise.race([...this.flights.values()].map((f) => f.done).concat([...this.writes]));
    }
  }

  private async loop(signal: Signal, work: () => Promise<unknown>): Promise<void> {
    while (this.running) {
      try {
        await work();
      } catch (error) {
        this.opts.log(`[webhooks] relay pass failed (retrying): ${(error as Error).message}`);
        await sleep(Math.min(this.opts.pollMs, 1_000));
      }
      if (this.running) await signal.wait();
    }
  }

  /** Fans out until the outbox has nothing left for us, then lets the delivery loop claim what it wrote. */
  private async fanOutAll(): Promise<void> {
    const { batchSize } = this.opts;
    let total = 0;
    for (;;) {
      const { events, deliveries } = await fanOut(this.pool, this.opts.now(), batchSize, this.merchantIds);
      total += deliveries;
      if (events < batchSize) break;
    }
    if (total > 0) this.deliveries.raise();
  }

  /** Fills free slots with due deliveries. */
  private async claim(): Promise<number> {
    const claims = await claimDeliveries(this.pool, {
      now: this.opts.now(),
      leaseMs: this.opts.leaseMs,
      limit: this.opts.maxInFlight - this.flights.size,
      perEndpoint: this.opts.perEndpoint,
      unrecorded: this.unrecorded,
      merchantIds: this.merchantIds,
    });
    for (const claim of claims) this.dispatch(claim);
    return claims.length;
  }

  private dispatch(claim: ClaimedDelivery): void {
    const done = this.send(claim).then((result) => {
      // The slot frees as soon as the endpoint answered. The delivery stays leased until its record is written, so
      // no other claim takes it meanwhile; counting it in `unrecorded` keeps its lease from holding the endpoint's
      // slot, so the endpoint's next delivery need not wait for our commit.
      this.flights.delete(claim.id);
      if (result) {
        this.countUnrecorded(claim.endpointId, 1);
        this.track(this.record(claim, result).finally(() => this.countUnrecorded(claim.endpointId, -1)));
      }
      this.deliveries.raise();
    });
    this.flights.set(claim.id, { claim, done });
  }

  private countUnrecorded(endpointId: string, n: number): void {
    const next = (this.unrecorded.get(endpointId) ?? 0) + n;
    if (next > 0) this.unrecorded.set(endpointId, next);
    else this.unrecorded.delete(endpointId);
  }

  /** The HTTP attempt; null when stop() cut it short (not an attempt the endpoint failed). */
  private async send(claim: ClaimedDelivery): Promise<AttemptResult | null> {
    const body = JSON.stringify(claim.payload);
    const sentAt = new Date();
    let keys: SigningKeys;
    try {
      keys = openKeys(claim);
    } catch (error) {
      if (!(error instanceof UnreadableSecretError)) throw error;
      return { statusCode: null, latencyMs: 0, excerpt: null, retryAfter: null, error: error.message };
    }
    const headers = signHeaders(claim.eventId, body, activeSecrets(keys, sentAt), sentAt);
    const result = await this.sender.send({ url: claim.url, body, headers, signal: this.abort.signal });
    return this.abort.signal.aborted ? null : result;
  }

  private async record(claim: ClaimedDelivery, result: AttemptResult): Promise<void> {
    const now = this.opts.now();
    const verdict = decide(result, claim.attempts + 1, claim.failingSince, now, this.opts.random);
    observeAttempt(verdict.delivery, result.latencyMs);
    try {
      await this.records.add({
        delivery: claim,
        decision: verdict.delivery,
        endpointOk: verdict.endpointOk,
        statusCode: result.statusCode,
        latencyMs: result.latencyMs,
        excerpt: result.excerpt,
        error: verdict.error,
        now,
      });
      if (verdict.disableReason && (await disableEndpoint(this.pool, claim.endpointId, verdict.disableReason, now))) {
        this.opts.log(`[webhooks] endpoint ${claim.endpointId} disabled: ${verdict.disableReason}`);
      }
    } catch (error) {
      this.opts.log(`[webhooks] attempt of delivery ${claim.id} not recorded (its lease will expire): ${(error as Error).message}`);
    }
  }

  /** Retention: deletes in small batches until nothing old is left (or another relay holds the lock). */
  async prune(batchSize = 1_000): Promise<{ deliveries: number; events: number }> {
    const before = new Date(this.opts.now().getTime() - this.opts.retentionMs);
    const total = { deliveries: 0, events: 0 };
    for (;;) {
      const batch = await pruneFinished(this.pool, { before, batchSize, merchantIds: this.merchantIds });
      if (!batch) break;
      total.deliveries += batch.deliveries;
      total.events += batch.events;
      if ((batch.deliveries < batchSize && batch.events < batchSize) || this.closed) break;
      await sleep(20); // room for the relay's own statements between batches
    }
    if (total.deliveries + total.events > 0) {
      this.opts.log(`[webhooks] retention: deleted ${total.deliveries} finished deliveries and ${total.events} outbox events from before ${before.toISOString()}`);
    }
    return total;
  }

  private scheduleMaintenance(delayMs: number): void {
    this.maintenanceTimer = setTimeout(() => {
      this.maintenance = this.prune()
        .catch((error) => this.opts.log(`[webhooks] retention failed (next run in ${this.opts.maintenanceMs / 1000} s): ${error.message}`))
        .finally(() => {
          this.maintenance = undefined;
          if (this.running) this.scheduleMaintenance(this.opts.maintenanceMs);
        });
    }, delayMs);
    this.maintenanceTimer.unref();
  }

  private track(write: Promise<void>): void {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on("notification", () => this.outbox.raise());
    client.on("error", (error) => this.opts.log(`[webhooks] LISTEN connection lost: ${error.message}`));
    client.on("end", () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.scheduleReconnect();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
      this.reconnectDelayMs = 500;
      // Rows may have arrived while we were not listening.
      this.outbox.raise();
    } catch (error) {
      this.opts.log(`[webhooks] LISTEN failed (polling meanwhile): ${(error as Error).message}`);
      client.end().catch(() => {});
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (!this.running || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.listen();
    }, this.reconnectDelayMs);
    this.reconnectTimer.unref();
    this.reconnectDelayMs = Math.min(30_000, this.reconnectDelayMs * 2);
  }
}

/** The claim's sealed secrets, opened for signing (the previous one only while it still signs). */
function openKeys(claim: ClaimedDelivery): SigningKeys {
  const previousSecret = claim.previousSecret && claim.previousSecretUntil && claim.previousSecretUntil > new Date() ? claim.previousSecret : null;
  return {
    secret: openSecret(claim.secret, claim.endpointId),
    previousSecret: previousSecret && openSecret(previousSecret, claim.endpointId),
    previousSecretUntil: claim.previousSecretUntil,
  };
}

/** A wake-up flag a loop sleeps on: raised any number of times while the loop works, it runs once more. */
class Signal {
  private raised = false;
  private waiter: (() => void) | undefined;

  raise(): void {
    this.raised = true;
    this.waiter?.();
  }

  wait(): Promise<void> {
    if (this.raised) {
      this.raised = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiter = () => {
        this.waiter = undefined;
        this.raised = false;
        resolve();
      };
    });
  }
}
