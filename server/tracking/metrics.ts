// Prometheus metrics of the click path, in prom-client's default registry (served by GET /metrics). Per request
// the redirect does one counter increment on a pre-resolved label child and one HotHistogram observation; gauges
// are read only when /metrics is scraped.
//
// This module can be evaluated twice in one process (our server's copy, and Next's bundle of proxy.ts) while
// prom-client's registry is one: metrics are therefore looked up before they are created, and the gauges' sources
// live on globalThis, so both copies feed the same series.
import client from "prom-client";
import { HotHistogram } from "../http/hot-histogram";
import { registeredOnce } from "../http/metrics";
import type { SinkObserver } from "./click-sink";
import type { RedirectResult } from "./redirect";

type Outcome = RedirectResult["outcome"];

const redirects = registeredOnce("go_redirects_total", (name) => new client.Counter({
  name,
  help: "Answers of /go/<slug> by outcome (redirect, bot, head: a click was recorded; fallback, not_found, method_not_allowed: none).",
  labelNames: ["outcome"] as const,
}));
const byOutcome = Object.fromEntries(
  (["redirect", "bot", "head", "fallback", "not_found", "method_not_allowed"] as const).map((o) => [o, redirects.labels(o)]),
) as Record<Outcome, { inc(): void }>;

const latency = registeredOnce("go_redirect_duration_seconds", (name) => new HotHistogram({
  name,
  help: "Time from request to the redirect written, inside our process.",
  buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
}));

const batchSize = registeredOnce("click_batch_rows", (name) => new client.Histogram({
  name,
  help: "Clicks per insert written by the click sink.",
  buckets: [1, 10, 100, 500, 1_000, 2_500, 5_000, 10_000],
}));
const flushSeconds = registeredOnce("click_flush_duration_seconds", (name) => new client.Histogram({
  name,
  help: "Duration of one batch insert.",
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
}));
const dropped = registeredOnce("clicks_dropped_total", (name) => new client.Counter({
  name,
  help: "Clicks redirected but never stored: buffer full (database down too long), rejected rows, shutdown deadline.",
  labelNames: ["reason"] as const,
}));
const flushFailures = registeredOnce("click_flush_failures_total", (name) => new client.Counter({ name, help: "Batch inserts that failed and will be retried." }));

type Sources = { depth: () => number; cacheSize: () => number };
const globalSources = globalThis as unknown as { __clickMetricSources?: Sources };
const sources = (globalSources.__clickMetricSources ??= { depth: () => 0, cacheSize: () => 0 });
registeredOnce("click_buffer_depth", (name) => new client.Gauge({
  name,
  help: "Clicks held in memory, waiting to be written.",
  collect() {
    this.set(sources.depth());
  },
}));
registeredOnce("link_cache_size", (name) => new client.Gauge({
  name,
  help: "Active links held in the redirect cache.",
  collect() {
    this.set(sources.cacheSize());
  },
}));

/** `startedMs`: performance.now() when the request came in. */
export function recordRedirect(outcome: Outcome, startedMs: number): void {
  byOutcome[outcome].inc();
  latency.observe((performance.now() - startedMs) / 1000);
}

export const sinkObserver: SinkObserver = {
  flushed(rows, seconds) {
    batchSize.observe(rows);
    flushSeconds.observe(seconds);
  },
  dropped(rows, reason) {
    dropped.inc({ reason }, rows);
  },
  failed() {
    flushFailures.inc();
  },
};

/** What the gauges report (the running sink and cache). */
export function bindGauges(from: Sources): void {
  Object.assign(sources, from);
}
