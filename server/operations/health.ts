// Healthy / degraded / failing for every moving part, from the instances' figures and the database's (pure).
// The thresholds are the README's "Operations page" table; change both together.
import type { Component, DatabaseFigures, EndpointBacklog, Figure, InstanceFigures, OpsReport, State } from "./types";

export const THRESHOLDS = {
  /** /go p95 inside our process, ms: above degraded, above failing. */
  goP95Ms: [10, 50],
  /** Postback p95, ms. */
  postbackP95Ms: [250, 2_000],
  /** Share of postbacks answered 503 over the window. */
  postbackUnavailableShare: [0, 0.5],
  /** Click buffer fill (share of CLICK_BUFFER_MAX). */
  clickBufferShare: [0.1, 0.5],
  /** Time clicks have waited since the last batch was written, ms. */
  clickFlushLagMs: [1_000, 5_000],
  /** Database round trip of the monitor's probe, ms. */
  databaseProbeMs: [100, 1_000],
  /** Share of a pool's connections in use. */
  poolShare: [0.8, 1],
  /** Age of an endpoint's oldest pending delivery, ms. */
  webhookOldestPendingMs: [60_000, 600_000],
  /** Outbox rows not yet fanned out: age of the oldest, ms. */
  outboxOldestMs: [10_000, 60_000],
  /** An endpoint failing (no success) for this long, ms. */
  endpointFailingMs: [0, 3_600_000],
  /** Fraud evaluation p99, ms. */
  fraudP99Ms: [1, 5],
  /** Commissions waiting for a fraud decision. */
  reviewQueue: [100, 1_000],
  /** A payout run left in draft or approved for this long, ms. */
  payoutRunAgeMs: [86_400_000, 7 * 86_400_000],
  /** An instance's snapshot older than this is not counted (it stopped), ms. */
  instanceStaleMs: 10_000,
} as const;

const RANK: Record<State, number> = { healthy: 0, degraded: 1, failing: 2 };
export const worst = (states: State[]): State => states.reduce<State>((a, b) => (RANK[b] > RANK[a] ? b : a), "healthy");

/** healthy up to the first bound, degraded up to the second (inclusive), failing above. */
export function grade(value: number | null, [degradedAbove, failingAbove]: readonly [number, number]): State {
  if (value === null || Number.isNaN(value)) return "healthy";
  if (value > failingAbove) return "failing";
  if (value > degradedAbove) return "degraded";
  return "healthy";
}

const ms = (v: number | null) => (v === null ? "–" : v < 10 ? `${v.toFixed(2)} ms` : `${Math.round(v).toLocaleString("en")} ms`);
const perS = (v: number) => `${v < 10 ? v.toFixed(1) : Math.round(v).toLocaleString("en")}/s`;
const age = (ms: number) => (ms < 1_000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 3_600_000)} h`);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const maxOf = (xs: (number | null)[]) => xs.reduce<number | null>((a, b) => (b === null ? a : a === null ? b : Math.max(a, b)), null);

function component(id: Component["id"], name: string, checks: [State, string][], figures: Figure[]): Component {
  const state = worst(checks.map(([s]) => s));
  return { id, name, state, reasons: checks.filter(([s]) => s !== "healthy").map(([, why]) => why), figures };
}

export interface HealthInput {
  now: number;
  self: string;
  instances: InstanceFigures[];
  database: DatabaseFigures | null;
  databaseDown: { since: number | null; lastError: string | null };
}

export function judge({ now, self, instances, database, databaseDown }: HealthInput): OpsReport {
  const fresh = instances.filter((i) => i.instance === self || now - i.at <= THRESHOLDS.instanceStaleMs);
  const reachable = database !== null;
  const dbFailing: [State, string][] = reachable ? [] : [["failing", `the database cannot be reached${databaseDown.lastError ? ` (${databaseDown.lastError})` : ""}`]];
  const components: Component[] = [];

  // Database: the probe, every pool, errors seen by the hot paths.
  const pools = fresh.flatMap((i) => i.db.pools.map((p) => ({ ...p, instance: i.instance })));
  const busiest = pools.reduce((a, p) => Math.max(a, p.max ? (p.total - p.idle) / p.max : 0), 0);
  const waiting = sum(pools.map((p) => p.waiting));
  const errors = sum(fresh.map((i) => i.db.errorsInWindow));
  components.push(
    component(
      "database",
      "Database",
      [
        ...dbFailing,
        [grade(database?.probeMs ?? null, THRESHOLDS.databaseProbeMs), `round trip ${ms(database?.probeMs ?? null)}`],
        [busiest >= THRESHOLDS.poolShare[1] && waiting > 0 ? "failing" : busiest > THRESHOLDS.poolShare[0] ? "degraded" : "healthy", `${Math.round(busiest * 100)} % of a pool in use, ${waiting} waiting`],
        [errors > 0 ? "degraded" : "healthy", `${errors} failed database operations in the last window`],
      ],
      [
        { label: "round trip", value: reachable ? ms(database!.probeMs) : "unreachable" },
        { label: "pool use (busiest)", value: `${Math.round(busiest * 100)} %` },
        { label: "waiting for a connection", value: String(waiting) },
        { label: "errors (window)", value: String(errors) },
      ],
    ),
  );

  const goRate = sum(fresh.map((i) => i.go.perSecond));
  const goP95 = maxOf(fresh.map((i) => i.go.p95Ms));
  components.push(component("go", "/go redirects", [[grade(goP95, THRESHOLDS.goP95Ms), `p95 ${ms(goP95)}`]], [
    { label: "rate", value: perS(goRate) },
    { label: "p95 (slowest instance)", value: ms(goP95) },
  ]));

  const pbRate = sum(fresh.map((i) => i.postbacks.perSecond));
  const pbUnavailable = sum(fresh.map((i) => i.postbacks.unavailablePerSecond));
  const pbP95 = maxOf(fresh.map((i) => i.postbacks.p95Ms));
  const unavailableShare = pbRate > 0 ? pbUnavailable / pbRate : 0;
  components.push(component("postbacks", "Postbacks", [
    [grade(pbP95, THRESHOLDS.postbackP95Ms), `p95 ${ms(pbP95)}`],
    [grade(unavailableShare, THRESHOLDS.postbackUnavailableShare), `${Math.round(unavailableShare * 100)} % answered 503 (database unavailable)`],
  ], [
    { label: "rate", value: perS(pbRate) },
    { label: "p95 (slowest instance)", value: ms(pbP95) },
    { label: "refused (4xx)", value: perS(sum(fresh.map((i) => i.postbacks.rejectedPerSecond))) },
    { label: "503 unavailable", value: perS(pbUnavailable) },
  ]));

  const buffered = sum(fresh.map((i) => i.clicks.buffered));
  const fill = Math.max(0, ...fresh.map((i) => (i.clicks.bufferMax ? i.clicks.buffered / i.clicks.bufferMax : 0)));
  const lag = Math.max(0, ...fresh.map((i) => i.clicks.flushLagMs));
  const dropped = sum(fresh.map((i) => i.clicks.droppedInWindow));
  components.push(component("clicks", "Click buffer", [
    [grade(fill, THRESHOLDS.clickBufferShare), `buffer ${Math.round(fill * 100)} % full`],
    [grade(lag, THRESHOLDS.clickFlushLagMs), `clicks waiting ${age(lag)} for their batch`],
    [dropped > 0 ? "failing" : "healthy", `${dropped.toLocaleString("en")} clicks dropped`],
  ], [
    { label: "buffered", value: buffered.toLocaleString("en") },
    { label: "flush lag", value: age(lag) },
    { label: "dropped (window)", value: dropped.toLocaleString("en") },
    { label: "flush failures (window)", value: String(sum(fresh.map((i) => i.clicks.flushFailuresInWindow))) },
  ]));

  const endpoints = (database?.endpoints ?? []).map((e) => ({ ...e, state: endpointState(e, now) }));
  const outboxAge = database?.outbox.oldestAt ? now - database.outbox.oldestAt : 0;
  const failingEndpoints = endpoints.filter((e) => e.state !== "healthy");
  components.push(component("webhooks", "Webhooks", [
    ...dbFailing,
    [grade(outboxAge, THRESHOLDS.outboxOldestMs), `oldest outbox event waiting ${age(outboxAge)}`],
    [worst(endpoints.map((e) => e.state)), `${failingEndpoints.length} endpoint(s) behind or failing`],
  ], [
    { label: "outbox not fanned out", value: (database?.outbox.unprocessed ?? 0).toLocaleString("en") },
    { label: "pending deliveries", value: sum(endpoints.map((e) => e.pending)).toLocaleString("en") },
    { label: "in flight", value: String(sum(fresh.map((i) => i.webhooks.inFlight))) },
    { label: "delivered / retried / failed", value: `${perS(sum(fresh.map((i) => i.webhooks.succeededPerSecond)))} / ${perS(sum(fresh.map((i) => i.webhooks.retryPerSecond)))} / ${perS(sum(fresh.map((i) => i.webhooks.failedPerSecond)))}` },
  ]));

  const fraudP99 = maxOf(fresh.map((i) => i.fraud.p99Ms));
  components.push(component("fraud", "Fraud checks", [
    [grade(fraudP99, THRESHOLDS.fraudP99Ms), `evaluation p99 ${ms(fraudP99)}`],
    [grade(database?.reviewQueue ?? null, THRESHOLDS.reviewQueue), `${database?.reviewQueue ?? 0} commissions wait for review`],
  ], [
    { label: "evaluations", value: perS(sum(fresh.map((i) => i.fraud.evaluationsPerSecond))) },
    { label: "p99 (slowest instance)", value: ms(fraudP99) },
    { label: "review queue", value: database ? String(database.reviewQueue) : "–" },
  ]));

  components.push(payoutsComponent(database, now, dbFailing));
  components.push(rollupsComponent(database, fresh, now, dbFailing));

  const disconnected = fresh.filter((i) => !i.live.hubConnected).length;
  components.push(component("live", "Live stream", [[disconnected > 0 ? "failing" : "healthy", `${disconnected} instance(s) cannot read new events`]], [
    { label: "open streams", value: String(sum(fresh.map((i) => i.live.streams))) },
    { label: "events", value: perS(sum(fresh.map((i) => i.live.eventsPerSecond))) },
  ]));

  return {
    at: now,
    overall: worst(components.map((c) => c.state)),
    instances: instances
      .map((i) => ({ id: i.instance, at: i.at, self: i.instance === self, stale: i.instance !== self && now - i.at > THRESHOLDS.instanceStaleMs }))
      .sort((a, b) => Number(b.self) - Number(a.self) || a.id.localeCompare(b.id)),
    components,
    endpoints,
    database: { reachable, since: databaseDown.since, lastError: databaseDown.lastError },
  };
}

export function endpointState(e: EndpointBacklog, now: number): State {
  const pendingAge = e.oldestPendingAt ? now - e.oldestPendingAt : 0;
  const failingFor = e.failingSince ? now - e.failingSince : null;
  return worst([
    e.enabled ? grade(pendingAge, THRESHOLDS.webhookOldestPendingMs) : "healthy",
    failingFor === null ? "healthy" : failingFor > THRESHOLDS.endpointFailingMs[1] ? "failing" : "degraded",
    !e.enabled && e.disabledReason ? "failing" : "healthy",
  ]);
}

// Payout runs: the existing run statuses (draft → approved → paid). Kept apart so a new payout model only changes
// this function and the query in database.ts.
function payoutsComponent(database: DatabaseFigures | null, now: number, dbFailing: [State, string][]): Component {
  const runs = database?.payoutRuns ?? [];
  const oldest = runs.reduce<number | null>((a, r) => (r.oldestAt === null ? a : a === null ? r.oldestAt : Math.min(a, r.oldestAt)), null);
  const oldestAge = oldest === null ? null : now - oldest;
  return component("payouts", "Payout runs", [...dbFailing, [grade(oldestAge, THRESHOLDS.payoutRunAgeMs), `a run has been in progress for ${age(oldestAge ?? 0)}`]], [
    ...runs.map((r) => ({ label: r.status.toLowerCase(), value: String(r.count) })),
    { label: "in progress", value: String(sum(runs.map((r) => r.count))) },
  ]);
}

// Rollups are maintained by triggers in the writing statement's own transaction (append-only deltas, folded every
// second; reads sum both): they are as current as the clicks table. Shown as such, with the time of the last click
// batch written by any instance.
function rollupsComponent(database: DatabaseFigures | null, fresh: InstanceFigures[], now: number, dbFailing: [State, string][]): Component {
  const lastBatch = maxOf([...fresh.map((i) => i.clicks.lastFlushAt), database?.lastClickAt ?? null]);
  return component("rollups", "Rollups", dbFailing, [
    { label: "state", value: database ? "in sync (written with the clicks; deltas folded every second)" : "unknown" },
    { label: "last click batch", value: lastBatch ? `${age(now - lastBatch)} ago` : "none recently" },
  ]);
}
