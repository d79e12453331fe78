// Click tracking as the server starts it: the link cache (kept in sync across instances), the click sink, the
// /go route, and their shutdown hooks (flush the sink first, order 0; then the LISTEN connection).
import { getPool } from "../db";
import { env } from "../env";
import type { HotRoute } from "../http/types";
import { onShutdown } from "../lifecycle";
import { createClickIdCodec } from "./click-id";
import { ClickSink } from "./click-sink";
import { pgClickWriter } from "./click-writer";
import { goHandler } from "./go-route";
import { LinkCache } from "./link-cache";
import { type LinkSync, startLinkSync } from "./link-sync";
import { bindGauges, sinkObserver } from "./metrics";
import { emitClick } from "./click-events";
import type { ClickRecord, RedirectDeps } from "./redirect";
import { GO_PREFIX } from "./slug";
import { RepeatDetector } from "./visitor";

export interface ClickTracking {
  cache: LinkCache;
  sink: ClickSink;
  sync: LinkSync;
  deps: RedirectDeps;
  routes: HotRoute[];
  /** A redirect's click: buffered for the database and, when the buffer took it, announced to listeners. */
  accept(click: ClickRecord): void;
  /** Flushes the sink and closes the LISTEN connection (what the shutdown hooks run). */
  stop(): Promise<void>;
}

/**
 * The process's click tracking, for proxy.ts (server/tracking/web-handler.ts), which Next bundles as a separate
 * copy of these modules: one slot on globalThis, so that copy uses our server's cache, sink and listeners instead
 * of starting its own.
 */
const shared = globalThis as unknown as { __goTracking?: Promise<ClickTracking> };

export function processClickTracking(): Promise<ClickTracking> {
  // A start that fails (the database is down) is not kept: the next /go tries again.
  return (shared.__goTracking ??= startClickTracking({ main: false }).catch((error) => {
    shared.__goTracking = undefined;
    throw error;
  }));
}

/**
 * Loads every active link, starts the sink and the sync. `main` (the server's own, default): registers the
 * shutdown hooks and becomes the process's tracking; `main: false` for tests and the proxy's lazy start.
 */
export async function startClickTracking({ main = true } = {}): Promise<ClickTracking> {
  const config = env();
  const pool = getPool();
  const cache = new LinkCache();
  const sync = await startLinkSync(cache, { pool, databaseUrl: config.DATABASE_URL, resyncMs: config.LINK_RESYNC_MS });
  const sink = new ClickSink({
    write: pgClickWriter(pool),
    batchSize: config.CLICK_BATCH_SIZE,
    flushMs: config.CLICK_FLUSH_MS,
    maxBuffered: config.CLICK_BUFFER_MAX,
    observer: sinkObserver,
  }).start();
  bindGauges({ depth: () => sink.depth, cacheSize: () => cache.size });
  const codec = createClickIdCodec(config.CLICK_ID_SECRET);
  const deps: RedirectDeps = { sign: codec.sign, repeats: new RepeatDetector() };
  const accept = (click: ClickRecord) => {
    if (sink.push(click)) emitClick(click);
  };
  const tracking: ClickTracking = {
    cache,
    sink,
    sync,
    deps,
    // Every method: resolveRedirect answers 405 to anything but GET and HEAD.
    routes: [{ prefix: GO_PREFIX, handleRaw: goHandler({ cache, deps, accept, trustedHops: config.TRUST_PROXY }) }],
    accept,
    stop: async () => {
      await sink.flushAll();
      await sync.stop();
    },
  };
  if (main) {
    onShutdown("click sink flush", () => sink.flushAll(), 0);
    onShutdown("link cache listener", sync.stop, 50);
    shared.__goTracking = Promise.resolve(tracking);
  }
  return tracking;
}
