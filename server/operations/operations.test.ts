// The operations page's figures and states: percentiles from histogram buckets as Prometheus computes them, the
// thresholds, and a monitor whose database is taken away for real (a TCP proxy): failing within seconds, still
// reporting every second from memory, healthy again by itself.
import client from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../env";
import { type TcpProxy, startTcpProxy } from "../testing/tcp-proxy";
import { endpointState, grade, judge, THRESHOLDS } from "./health";
import { quantile, rate, type Sample } from "./measure";
import { OpsMonitor } from "./monitor";
import type { InstanceFigures } from "./types";

const sample = (at: number, entries: Record<string, number>): Sample => ({ at, values: new Map(Object.entries(entries)) });

describe("figures from the metrics", () => {
  it("rates and quantiles come from the difference of two samples", () => {
    const from = sample(0, { "h_bucket{le=0.01}": 10, "h_bucket{le=0.1}": 10, "h_bucket{le=+Inf}": 10, "c{outcome=a}": 5, "c{outcome=b}": 1 });
    const to = sample(10_000, { "h_bucket{le=0.01}": 60, "h_bucket{le=0.1}": 110, "h_bucket{le=+Inf}": 110, "c{outcome=a}": 25, "c{outcome=b}": 11 });
    // 100 new observations: 50 ≤ 10 ms, 50 in (10, 100] ms → p95 inside the second bucket at 90 %
    expect(quantile(from, to, "h", 0.95)).toBeCloseTo(0.01 + 0.09 * 0.9, 6);
    expect(quantile(from, to, "h", 0.5)).toBeCloseTo(0.01, 6);
    expect(rate(from, to, "c")).toBe(3);
    expect(rate(from, to, "c", "outcome=b")).toBe(1);
    expect(quantile(to, to, "h", 0.95)).toBeNull(); // nothing observed in the window
  });

  it("grades against the documented bounds", () => {
    expect(grade(10, THRESHOLDS.goP95Ms)).toBe("healthy");
    expect(grade(10.5, THRESHOLDS.goP95Ms)).toBe("degraded");
    expect(grade(51, THRESHOLDS.goP95Ms)).toBe("failing");
    expect(grade(null, THRESHOLDS.goP95Ms)).toBe("healthy");
    const now = Date.now();
    const endpoint = { endpointId: "e", url: "https://x.example", merchantName: "M", enabled: true, pending: 3, oldestPendingAt: now - 5_000, failingSince: null, disabledReason: null };
    expect(endpointState(endpoint, now)).toBe("healthy");
    expect(endpointState({ ...endpoint, oldestPendingAt: now - 120_000 }, now)).toBe("degraded");
    expect(endpointState({ ...endpoint, oldestPendingAt: now - 3_600_000 }, now)).toBe("failing");
    expect(endpointState({ ...endpoint, failingSince: now - 2 * 3_600_000 }, now)).toBe("failing");
    expect(endpointState({ ...endpoint, enabled: false, pending: 0, oldestPendingAt: null, disabledReason: "410 Gone" }, now)).toBe("failing");
  });

  it("adds up the instances, ignores stopped ones, and takes the slowest p95", () => {
    const now = Date.now();
    const figures = (instance: string, at: number, goRate: number, p95: number): InstanceFigures => ({
      instance,
      at,
      windowS: 10,
      go: { perSecond: goRate, p95Ms: p95 },
      postbacks: { perSecond: 0, p95Ms: null, unavailablePerSecond: 0, rejectedPerSecond: 0 },
      clicks: { buffered: 0, bufferMax: 1000, lastFlushAt: null, flushLagMs: 0, droppedInWindow: 0, flushFailuresInWindow: 0 },
      db: { pools: [], errorsInWindow: 0 },
      fraud: { evaluationsPerSecond: 0, p99Ms: null },
      webhooks: { inFlight: 0, succeededPerSecond: 0, retryPerSecond: 0, failedPerSecond: 0 },
      live: { streams: 0, subscribers: 0, hubConnected: true, lastReadAgoMs: 0, eventsPerSecond: 0 },
    });
    const database = { at: now, probeMs: 1, outbox: { unprocessed: 0, oldestAt: null }, endpoints: [], reviewQueue: 0, payoutRuns: [], lastClickAt: null };
    const report = judge({
      now,
      self: "a",
      instances: [figures("a", now, 100, 2), figures("b", now - 1_000, 50, 20), figures("c", now - 30_000, 1_000, 99)],
      database,
      databaseDown: { since: null, lastError: null },
    });
    const go = report.components.find((c) => c.id === "go")!;
    expect(go.figures).toEqual([{ label: "rate", value: "150/s" }, { label: "p95 (slowest instance)", value: "20 ms" }]);
    expect(go.state).toBe("degraded");
    expect(report.overall).toBe("degraded");
    expect(report.instances.map((i) => [i.id, i.stale])).toEqual([["a", false], ["b", false], ["c", true]]);
  });
});

describe("a monitor whose database stops", () => {
  let proxy: TcpProxy;
  let monitor: OpsMonitor;

  beforeAll(async () => {
    const url = new URL(env().DATABASE_URL);
    proxy = await startTcpProxy(url.hostname, Number(url.port));
    if (!client.register.getSingleMetric("postbacks_total")) await import("../conversions/metrics");
    monitor = new OpsMonitor({ databaseUrl: proxy.urlFor(env().DATABASE_URL), sampleMs: 200 }).start();
  });

  afterAll(async () => {
    await monitor.stop();
    await proxy.close();
  });

  const database = () => monitor.report?.components.find((c) => c.id === "database");

  async function until(check: () => boolean, timeoutMs: number) {
    const started = Date.now();
    while (!check()) {
      if (Date.now() - started > timeoutMs) throw new Error(`not true within ${timeoutMs} ms: ${JSON.stringify(database())}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return Date.now() - started;
  }

  it("says so within seconds, keeps reporting from memory, and recovers by itself", async () => {
    await until(() => monitor.report?.database.reachable === true && database()?.state === "healthy", 10_000);
    expect(monitor.report!.instances).toContainEqual(expect.objectContaining({ id: monitor.instance, self: true }));

    proxy.down();
    await until(() => database()?.state === "failing", 5_000);
    expect(monitor.report!.overall).toBe("failing");
    expect(monitor.report!.database.reachable).toBe(false);
    expect(database()!.reasons.join(" ")).toMatch(/cannot be reached/);
    expect(monitor.report!.components.find((c) => c.id === "webhooks")!.state).toBe("failing");
    // reports keep coming while the database is away
    const at = monitor.report!.at;
    await until(() => monitor.report!.at > at + 300, 2_000);
    expect(monitor.report!.components.find((c) => c.id === "go")!.state).toBe("healthy");

    proxy.up();
    await until(() => database()?.state === "healthy" && monitor.report!.database.reachable, 10_000);
    expect(monitor.report!.database.since).toBeNull();
  }, 40_000);
});
