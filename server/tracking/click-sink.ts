// Clicks on their way to the database: held in memory, written in batches by one multi-row insert, never on the
// redirect's path. A batch is written when it fills or at the latest `flushMs` after its first click. One write
// runs at a time; a failed write keeps its batch at the head of the queue and is retried with backoff, so a
// database outage costs nothing until `maxBuffered` clicks are held, after which new clicks are counted and
// dropped. A write that failed may still have committed: its retry says so (`mayExist`), and the writer must then
// skip rows already stored (see pgClickWriter).
// A batch the database refuses as data (a value out of range…) is halved until the refused rows are found: only
// they are dropped and counted, never the good clicks sharing their batch.
import type { ClickRecord } from "./redirect";
import { logLine } from "../log";

/** `mayExist`: an earlier attempt at these rows ended without an answer, so some may be stored already. */
export type ClickWriter = (batch: readonly ClickRecord[], attempt?: { mayExist?: boolean }) => Promise<void>;

export interface SinkObserver {
  flushed(rows: number, seconds: number): void;
  dropped(rows: number, reason: "buffer_full" | "rejected" | "shutdown"): void;
  failed(error: Error): void;
}

export interface ClickSinkOptions {
  write: ClickWriter;
  batchSize: number;
  flushMs: number;
  maxBuffered: number;
  observer?: SinkObserver;
  log?: (line: string) => void;
}

const MAX_RETRY_MS = 2_000;

export class ClickSink {
  /** Batches in arrival order; the last one is being filled, the first one is the next (or current) write. */
  private readonly batches: ClickRecord[][] = [[]];
  private held = 0;
  private writing: Promise<boolean> | undefined;
  private retryAt = 0;
  private retryMs: number;
  /** The head batch's last write failed without an answer from the database (it may have committed). */
  private headUncertain = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly opts: Required<Omit<ClickSinkOptions, "observer">> & { observer?: SinkObserver };

  constructor(options: ClickSinkOptions) {
    this.opts = { log: logLine, ...options };
    this.retryMs = options.flushMs;
  }

  /** Clicks held in memory (including the batch being written). */
  get depth(): number {
    return this.held;
  }

  start(): this {
    this.timer ??= setInterval(() => this.kick(), this.opts.flushMs);
    this.timer.unref();
    return this;
  }

  /** Accepts a click unless the buffer is full; O(1), never waits. */
  push(click: ClickRecord): boolean {
    if (this.held >= this.opts.maxBuffered) {
      this.opts.observer?.dropped(1, "buffer_full");
      return false;
    }
    let last = this.batches[this.batches.length - 1]!;
    if (last.length >= this.opts.batchSize) this.batches.push((last = []));
    last.push(click);
    this.held++;
    if (last.length === this.opts.batchSize && !this.writing) setImmediate(() => this.kick());
    return true;
  }

  /** Starts a write when there is something to write and none is running. */
  private kick(): void {
    if (this.writing || this.held === 0 || Date.now() < this.retryAt) return;
    this.writing = this.writeHead().finally(() => {
      this.writing = undefined;
      // Keep going without waiting for the timer while full batches are queued.
      if (this.batches.length > 1 && this.retryAt === 0) this.kick();
    });
  }

  /** Writes the oldest batch; true when it was written (refused rows dropped), false to retry it later. */
  private async writeHead(): Promise<boolean> {
    const batch = this.batches[0]!;
    if (this.batches.length === 1) this.batches.push([]); // new clicks go to a fresh batch while this one is written
    const started = process.hrtime.bigint();
    try {
      const refused = await this.writeSalvaging(batch);
      this.opts.observer?.flushed(batch.length - refused, Number(process.hrtime.bigint() - started) / 1e9);
      if (refused > 0) this.opts.observer?.dropped(refused, "rejected");
    } catch (error) {
      this.opts.observer?.failed(error as Error);
      this.headUncertain = true;
      this.retryAt = Date.now() + this.retryMs;
      this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
      if (this.batches.length === 2 && this.batches[1]!.length === 0) this.batches.pop();
      return false;
    }
    this.batches.shift();
    this.headUncertain = false;
    this.held -= batch.length;
    this.retryAt = 0;
    this.retryMs = this.opts.flushMs;
    return true;
  }

  /**
   * Writes `rows`; when the database refuses them as data, writes each half on its own, down to single rows, which
   * are dropped (retrying cannot help, and holding them would block the rest). Returns how many were dropped; any
   * other error is thrown and the whole batch retried with `mayExist` (halves already written are skipped).
   */
  private async writeSalvaging(rows: readonly ClickRecord[]): Promise<number> {
    try {
      await this.opts.write(rows, { mayExist: this.headUncertain });
      return 0;
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (rows.length === 1) {
        this.opts.log(`[clicks] click ${rows[0]!.clickId} refused by the database: ${(error as Error).message}`);
        return 1;
      }
      const half = rows.length >>> 1;
      return (await this.writeSalvaging(rows.slice(0, half))) + (await this.writeSalvaging(rows.slice(half)));
    }
  }

  /**
   * Shutdown: stops the timer and writes everything held, retrying failed writes until `timeoutMs`; what is
   * still held then is counted as dropped.
   */
  async flushAll(timeoutMs = 15_000): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (this.held > 0 && Date.now() < deadline) {
      if (this.writing) {
        await this.writing;
        continue;
      }
      const wait = this.retryAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, deadline - Date.now())));
      this.retryAt = 0;
      this.kick();
    }
    if (this.held > 0) {
      this.opts.log(`[clicks] shutdown: ${this.held} clicks could not be written before the deadline`);
      this.opts.observer?.dropped(this.held, "shutdown");
    }
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity): the rows are at fault, not the connection. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}
