// Prometheus metrics of the fraud checks, in prom-client's default registry (served by GET /metrics): evaluations by
// decision and how long they take (with or without reading the click's row), and the engine's state read at
// scrape time from TrafficState.stats() — remembered clicks, velocity keys, and keys the bounded counters refused
// (under a flood of distinct keys counting stops for the new ones: this counter is how an operator sees it).
//
// As in server/tracking/metrics.ts, metrics are looked up before they are created (this module may be evaluated
// twice in one process, our server's copy and Next's bundle) and the engine is read through globalThis.
import client from "prom-client";
import { registeredOnce } from "../http/metrics";
import type { FraudEngine } from "./engine";
import type { FraudVerdict } from "./types";

const evaluations = registeredOnce("fraud_evaluations_total", (name) => new client.Counter({
  name,
  help: "Conversions judged by the fraud checks, by decision (pass, review, hold).",
  labelNames: ["decision"] as const,
}));
const byDecision = {
  PASS: evaluations.labels("pass"),
  REVIEW: evaluations.labels("review"),
  HOLD: evaluations.labels("hold"),
} satisfies Record<FraudVerdict["decision"], unknown>;

const duration = registeredOnce("fraud_evaluation_duration_seconds", (name) => new client.Histogram({
  name,
  help: "Time to judge one conversion; click_row=yes when the click was judged from its row (a click this process does not remember).",
  labelNames: ["click_row"] as const,
  buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
}));
const durationOf = { yes: duration.labels("yes"), no: duration.labels("no") };

/** Counts one evaluation and its duration (from `startedNs`, process.hrtime.bigint()). */
export function observeEvaluation(verdict: FraudVerdict, startedNs: bigint, fromRow: boolean): FraudVerdict {
  byDecision[verdict.decision].inc();
  durationOf[fromRow ? "yes" : "no"].observe(Number(process.hrtime.bigint() - startedNs) / 1e9);
  return verdict;
}

const source = globalThis as unknown as { __fraudMetricEngine?: () => FraudEngine };

/** Makes the process's engine the source of the state metrics. */
export function exposeEngineMetrics(engine: () => FraudEngine): void {
  source.__fraudMetricEngine = engine;
}

const stats = () => source.__fraudMetricEngine?.().traffic.stats();

registeredOnce("fraud_remembered_clicks", (name) => new client.Gauge({
  name,
  help: "Notable clicks whose traits the engine keeps for the conversions that may follow (capped at 200,000).",
  collect() {
    this.set(stats()?.notableClicks ?? 0);
  },
}));
registeredOnce("fraud_velocity_keys", (name) => new client.Gauge({
  name,
  help: "Distinct (affiliate, IP) and (affiliate, subnet) keys in the click-velocity windows.",
  collect() {
    this.set(stats()?.velocityKeys ?? 0);
  },
}));
const reported = new Map<string, number>();
registeredOnce("fraud_counter_keys_dropped_total", (name) => new client.Counter({
  name,
  help: "Events not counted because a window bucket of the counter was full of other keys (250,000 per bucket).",
  labelNames: ["counter"] as const,
  collect() {
    const overflow: Record<string, number> = stats()?.overflow ?? {};
    for (const [counter, total] of Object.entries(overflow)) {
      const delta = total - (reported.get(counter) ?? 0);
      if (delta > 0) this.labels(counter).inc(delta);
      else this.labels(counter).inc(0); // the series exists from the first scrape
      reported.set(counter, total);
    }
  },
}));
