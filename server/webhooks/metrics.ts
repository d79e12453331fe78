// Prometheus metrics of the webhook relay, in prom-client's default registry (GET /metrics): attempts by outcome,
// their latency, and requests in flight (read from the running relays when scraped).
import client from "prom-client";
import { registeredOnce } from "../http/metrics";
import type { Decision } from "./schedule";

const relays = new Set<{ readonly inFlight: number }>();


const attempts = registeredOnce("webhook_attempts_total", (name) => new client.Counter({
  name,
  help: "Webhook delivery attempts by what followed: succeeded, retry (scheduled again) or failed (gave up).",
  labelNames: ["outcome"] as const,
}));
const duration = registeredOnce("webhook_attempt_duration_seconds", (name) => new client.Histogram({
  name,
  help: "Time from sending a webhook to the endpoint's answer (or the error).",
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
}));
registeredOnce("webhook_requests_in_flight", (name) => new client.Gauge({
  name,
  help: "Webhook requests waiting for an endpoint's answer, over the relays of this process.",
  collect() {
    this.set([...relays].reduce((n, r) => n + r.inFlight, 0));
  },
}));

const OUTCOME = { SUCCEEDED: "succeeded", PENDING: "retry", FAILED: "failed" } as const;

export function observeAttempt(decision: Decision, latencyMs: number): void {
  attempts.labels(OUTCOME[decision.status]).inc();
  duration.observe(latencyMs / 1000);
}

/** Counts the relay's in-flight requests in the gauge until the returned function is called. */
export function registerRelay(relay: { readonly inFlight: number }): () => void {
  relays.add(relay);
  return () => relays.delete(relay);
}
