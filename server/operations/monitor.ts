// One per server instance: every second it samples this process's metrics (measure.ts) and judges the health of
// every part (health.ts); every 2 s it probes the database, reads what only the database knows, publishes this
// instance's figures to instance_snapshots and reads the other instances'. All of it on a pool of its own with
// short time limits. When the database is unreachable the report is still produced every second from what this
// process knows (its own figures, the others' last snapshots are dropped once stale) with the database failing —
// and recovers on the first probe that answers.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type pg from "pg";
import { env } from "../env";
import type { LiveHub } from "../live/hub";
import { streamCounter } from "../http/trpc-stream";
import { createOpsPool, publishSnapshot, readDatabaseFigures, readSnapshots } from "./database";
import { judge } from "./health";
import { increase, quantile, rate, SampleHistory, takeSample, total } from "./measure";
import type { DatabaseFigures, InstanceFigures, OpsReport } from "./types";
import { errorLine } from "../log";

const WINDOW_S = 10;

type PoolLike = { totalCount: number; idleCount: number; waitingCount: number; options: { max?: number } };

function poolStats(): InstanceFigures["db"]["pools"] {
  const slots = globalThis as unknown as { __pool?: PoolLike; __postbackPool?: PoolLike };
  const pools: [string, PoolLike | undefined][] = [["app", slots.__pool], ["postbacks", slots.__postbackPool]];
  return pools
    .filter((p): p is [string, PoolLike] => p[1] !== undefined)
    .map(([name, p]) => ({ name, total: p.totalCount, idle: p.idleCount, waiting: p.waitingCount, max: p.options.max ?? 10 }));
}

export interface MonitorOptions {
  databaseUrl: string;
  hub?: LiveHub;
  instance?: string;
  sampleMs?: number;
  databaseEveryTicks?: number;
  pool?: pg.Pool;
}

export class OpsMonitor {
  readonly instance: string;
  private readonly pool: pg.Pool;
  private readonly history = new SampleHistory(120);
  private readonly listeners = new Set<(report: OpsReport) => void>();
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private database: DatabaseFigures | null = null;
  private others: InstanceFigures[] = [];
  private down: { since: number | null; lastError: string | null } = { since: null, lastError: null };
  private refreshing = false;
  private probeFailures = 0;
  private lastReleased = 0;
  private lastReleasedAt = Date.now();
  report: OpsReport | null = null;

  constructor(private readonly opts: MonitorOptions) {
    this.instance = opts.instance ?? `${hostname()}:${process.pid}:${randomBytes(2).toString("hex")}`;
    this.pool = opts.pool ?? createOpsPool(opts.databaseUrl);
  }

  start(): this {
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.opts.sampleMs ?? 1_000);
    this.timer.unref();
    return this;
  }

  /** Called with every new report (about once a second); returns the function that stops it. */
  subscribe(listener: (report: OpsReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  private async tick(): Promise<void> {
    const sample = await takeSample();
    this.history.push(sample);
    if (this.ticks++ % (this.opts.databaseEveryTicks ?? 2) === 0 && !this.refreshing) {
      this.refreshing = true;
      void this.refreshDatabase().finally(() => {
        this.refreshing = false;
      });
    }
    this.publishReport();
  }

  /** This instance's figures over the last window. */
  figures(): InstanceFigures {
    const to = this.history.latest!;
    const from = this.history.ago(WINDOW_S) ?? to;
    const ms = (seconds: number | null) => (seconds === null ? null : seconds * 1000);
    const buffered = total(to, "click_buffer_depth");
    const lastFlushAt = this.history.lastIncrease("click_flush_duration_seconds_count");
    const now = to.at;
    const hub = this.opts.hub;
    const released = hub?.released ?? 0;
    const eventsPerSecond = now > this.lastReleasedAt ? Math.max(0, released - this.lastReleased) / ((now - this.lastReleasedAt) / 1000) : 0;
    if (now - this.lastReleasedAt >= WINDOW_S * 1000) {
      this.lastReleased = released;
      this.lastReleasedAt = now;
    }
    return {
      instance: this.instance,
      at: now,
      windowS: (to.at - from.at) / 1000,
      go: { perSecond: rate(from, to, "go_redirects_total"), p95Ms: ms(quantile(from, to, "go_redirect_duration_seconds", 0.95)) },
      postbacks: {
        perSecond: rate(from, to, "postbacks_total"),
        p95Ms: ms(quantile(from, to, "postback_duration_seconds", 0.95)),
        unavailablePerSecond: rate(from, to, "postbacks_total", "outcome=unavailable"),
        rejectedPerSecond: rate(from, to, "postbacks_total", "outcome=rejected"),
      },
      clicks: {
        buffered,
        bufferMax: env().CLICK_BUFFER_MAX,
        lastFlushAt,
        // clicks are waiting and no batch went out for this long
        flushLagMs: buffered > 0 ? now - (lastFlushAt ?? from.at) : 0,
        droppedInWindow: increase(from, to, "clicks_dropped_total"),
        flushFailuresInWindow: increase(from, to, "click_flush_failures_total"),
      },
      db: {
        pools: poolStats(),
        errorsInWindow: increase(from, to, "click_flush_failures_total") + increase(from, to, "postbacks_total", "outcome=unavailable") + this.probeFailures,
      },
      fraud: { evaluationsPerSecond: rate(from, to, "fraud_evaluations_total"), p99Ms: ms(quantile(from, to, "fraud_evaluation_duration_seconds", 0.99)) },
      webhooks: {
        inFlight: total(to, "webhook_requests_in_flight"),
        succeededPerSecond: rate(from, to, "webhook_attempts_total", "outcome=succeeded"),
        retryPerSecond: rate(from, to, "webhook_attempts_total", "outcome=retry"),
        failedPerSecond: rate(from, to, "webhook_attempts_total", "outcome=failed"),
      },
      live: {
        streams: streamCounter().total,
        subscribers: hub?.subscriberCount ?? 0,
        hubConnected: hub ? hub.status.connected : true,
        lastReadAgoMs: hub ? now - hub.status.lastReadAt : null,
        eventsPerSecond,
      },
    };
  }

  private async refreshDatabase(): Promise<void> {
    try {
      const figures = await readDatabaseFigures(this.pool);
      await publishSnapshot(this.pool, this.figures());
      this.others = await readSnapshots(this.pool, this.instance);
      this.database = figures;
      this.down = { since: null, lastError: null };
      this.probeFailures = 0;
    } catch (error) {
      this.database = null;
      this.probeFailures++;
      this.down = { since: this.down.since ?? Date.now(), lastError: describe(error) };
    }
    this.publishReport();
  }

  private publishReport(): void {
    if (!this.history.latest) return;
    const now = Date.now();
    const self = this.figures();
    const others = this.others.filter((o) => now - o.at < 60_000);
    this.report = judge({ now, self: this.instance, instances: [self, ...others], database: this.database, databaseDown: this.down });
    for (const listener of this.listeners) {
      try {
        listener(this.report);
      } catch (error) {
        errorLine(`[operations] listener failed: ${(error as Error).message}`);
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.listeners.clear();
    await this.pool.end().catch(() => {});
  }
}

function describe(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === "ECONNREFUSED") return "connection refused";
  if (/timeout/i.test(e.message ?? "")) return "no answer in time";
  return (e.message ?? String(error)).slice(0, 200);
}
