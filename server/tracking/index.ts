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
import type { RedirectDeps } from "./redirect";
import { GO_PREFIX } from "./slug";
import { RepeatDetector } from "./visitor";

export interface ClickTracking {
  cache: LinkCache;
  sink: ClickSink;
  sync: LinkSync;
  deps: RedirectDeps;
  routes: HotRoute[];
  /** Flushes the sink and closes the LISTEN connection (what the shutdown hooks run). */
  stop(): Promise<void>;
}

/** Loads every active link, starts the sink and the sync; `registerShutdown: false` for tests and proxy.ts. */
export async function startClickTracking({ registerShutdown = true } = {}): Promise<ClickTracking> {
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
  const handle = goHandler({ cache, sink, deps, trustedHops: config.TRUST_PROXY });
  if (registerShutdown) {
    onShutdown("click sink flush", () => sink.flushAll(), 0);
    onShutdown("link cache listener", sync.stop, 50);
  }
  return {
    cache,
    sink,
    sync,
    deps,
    routes: [{ prefix: GO_PREFIX, methods: ["GET", "HEAD"], handleRaw: handle }],
    stop: async () => {
      await sink.flushAll();
      await sync.stop();
    },
  };
}
