// Prometheus metrics of postback intake, in prom-client's default registry (GET /metrics): answers by outcome and
// the time from request to answer inside our process (label-less HotHistogram, as /go's).
import client from "prom-client";
import { HotHistogram } from "../http/hot-histogram";
import { registeredOnce } from "../http/metrics";

const answers = registeredOnce("postbacks_total", (name) => new client.Counter({
  name,
  help: "Postbacks answered, by outcome: accepted (2xx), rejected (4xx), unavailable (503: the database could not take it).",
  labelNames: ["outcome"] as const,
}));
const byOutcome = { accepted: answers.labels("accepted"), rejected: answers.labels("rejected"), unavailable: answers.labels("unavailable") };

const latency = registeredOnce("postback_duration_seconds", (name) => new HotHistogram({
  name,
  help: "Time from a postback's request to its answer, inside our process (the database's commit included).",
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
}));

/** `startedMs`: performance.now() when the request came in. */
export function recordPostback(status: number, startedMs: number): void {
  (status < 400 ? byOutcome.accepted : status === 503 ? byOutcome.unavailable : byOutcome.rejected).inc();
  latency.observe((performance.now() - startedMs) / 1000);
}
