// Clicks on the live stream without a row per click: this instance counts the clicks it serves per (second,
// affiliate, offer) in memory (the click path's in-process stream, after the responses) and writes one
// live_events row per pair and second, once the second is over, in one statement. A viral link costs a map
// update per click and a row per second. While the database is unreachable, up to `maxPending` pairs wait; more
// are dropped (the clicks themselves are stored by the click sink, this is only their announcement).
import type pg from "pg";
import { onClick, type ClickEvent } from "../tracking/click-events";

interface Count {
  second: number;
  affiliateId: string;
  offerId: string;
  clicks: number;
  billable: number;
}

const INSERT = `
  WITH x AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::int[]) AS x(sec, aff, offer, clicks, billable)),
  ins AS (
    INSERT INTO live_events ("kind", "affiliateId", "merchantId", "data")
    SELECT 'clicks', x.aff, o."merchantId",
           jsonb_build_object('second', x.sec, 'offerId', x.offer, 'clicks', x.clicks, 'billable', x.billable)
      FROM x JOIN offers o ON o.id = x.offer
    RETURNING 1)
  SELECT pg_notify('live', '') FROM (SELECT count(*) AS n FROM ins) c WHERE c.n > 0`;

export class ClickSummaries {
  private counts = new Map<string, Count>();
  private timer: NodeJS.Timeout | undefined;
  private unlisten: (() => void) | undefined;
  private flushing: Promise<void> | null = null;
  dropped = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: { intervalMs?: number; maxPending?: number; now?: () => number } = {},
  ) {}

  start(): this {
    this.unlisten = onClick((click) => this.add(click));
    this.timer = setInterval(() => void this.flush(), this.opts.intervalMs ?? 250);
    this.timer.unref();
    return this;
  }

  add(click: ClickEvent): void {
    const second = Math.floor(click.at / 1000);
    const key = `${second}|${click.affiliateId}|${click.offerId}`;
    let count = this.counts.get(key);
    if (!count) {
      if (this.counts.size >= (this.opts.maxPending ?? 50_000)) {
        this.dropped++;
        return;
      }
      count = { second, affiliateId: click.affiliateId, offerId: click.offerId, clicks: 0, billable: 0 };
      this.counts.set(key, count);
    }
    count.clicks++;
    if (click.billable) count.billable++;
  }

  get pending(): number {
    return this.counts.size;
  }

  /** Writes every second that is over (all of them with `all`); failed writes stay for the next flush. */
  flush(all = false): Promise<void> {
    if (this.flushing) return this.flushing;
    const current = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
    const done: [string, Count][] = [];
    for (const entry of this.counts) if (all || entry[1].second < current) done.push(entry);
    if (done.length === 0) return Promise.resolve();
    for (const [key] of done) this.counts.delete(key);
    const rows = done.map(([, c]) => c);
    this.flushing = this.pool
      .query(INSERT, [rows.map((r) => r.second), rows.map((r) => r.affiliateId), rows.map((r) => r.offerId), rows.map((r) => r.clicks), rows.map((r) => r.billable)])
      .then(() => undefined)
      .catch(() => {
        for (const [key, count] of done) {
          const newer = this.counts.get(key);
          if (newer) {
            newer.clicks += count.clicks;
            newer.billable += count.billable;
          } else this.counts.set(key, count);
        }
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.unlisten?.();
    await this.flushing;
    await this.flush(true);
  }
}
