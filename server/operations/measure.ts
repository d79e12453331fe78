// This instance's own measurements, read from prom-client's registry — the numbers GET /metrics exports — once a
// second into a short history, and turned into rates and percentiles over the last `windowS` seconds (differences
// of the cumulative counters and histogram buckets, as Prometheus' rate() and histogram_quantile() would).
import client from "prom-client";

type Values = { metricName?: string; labels: Record<string, string | number | undefined>; value: number }[];

export interface Sample {
  at: number;
  /** name{labels} → value; histograms as <name>_bucket{le}, _count, _sum. */
  values: Map<string, number>;
}

const WATCHED = [
  "go_redirects_total",
  "go_redirect_duration_seconds",
  "postbacks_total",
  "postback_duration_seconds",
  "click_buffer_depth",
  "click_flush_duration_seconds",
  "click_flush_failures_total",
  "clicks_dropped_total",
  "fraud_evaluations_total",
  "fraud_evaluation_duration_seconds",
  "webhook_attempts_total",
  "webhook_requests_in_flight",
];

const keyOf = (name: string, labels: Record<string, unknown>) => {
  const parts = Object.entries(labels)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
  return parts.length ? `${name}{${parts.join(",")}}` : name;
};

export async function takeSample(now = Date.now()): Promise<Sample> {
  const values = new Map<string, number>();
  for (const name of WATCHED) {
    const metric = client.register.getSingleMetric(name);
    if (!metric) continue;
    const data = (await metric.get()) as { values: Values };
    for (const v of data.values) values.set(keyOf(v.metricName ?? name, v.labels), v.value);
  }
  return { at: now, values };
}

/** Sum of every series of `name` (all label values), optionally only those whose key contains `filter`. */
export function total(sample: Sample, name: string, filter?: string): number {
  let sum = 0;
  for (const [key, value] of sample.values) {
    if ((key === name || key.startsWith(`${name}{`)) && (!filter || key.includes(filter))) sum += value;
  }
  return sum;
}

/** Per second between two samples (counters restart at 0 with the process: never negative). */
export function rate(from: Sample, to: Sample, name: string, filter?: string): number {
  const seconds = (to.at - from.at) / 1000;
  if (seconds <= 0) return 0;
  return Math.max(0, total(to, name, filter) - total(from, name, filter)) / seconds;
}

export function increase(from: Sample, to: Sample, name: string, filter?: string): number {
  return Math.max(0, total(to, name, filter) - total(from, name, filter));
}

/**
 * The q-quantile (0–1) of a histogram's observations between two samples, in the histogram's unit, by linear
 * interpolation inside the bucket (histogram_quantile); null without observations. Buckets summed over labels.
 */
export function quantile(from: Sample, to: Sample, name: string, q: number): number | null {
  const buckets = new Map<number, number>();
  for (const [key, value] of to.values) {
    const match = key.startsWith(`${name}_bucket{`) ? /le=([^,}]+)/.exec(key) : null;
    if (!match) continue;
    const le = match[1] === "+Inf" ? Infinity : Number(match[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Math.max(0, value - (from.values.get(key) ?? 0)));
  }
  const sorted = [...buckets.entries()].sort(([a], [b]) => a - b);
  const count = sorted.at(-1)?.[1] ?? 0;
  if (count <= 0) return null;
  const rank = q * count;
  let lower = 0;
  let below = 0;
  for (const [le, cumulative] of sorted) {
    if (cumulative >= rank) {
      if (le === Infinity) return lower; // beyond the last bound: the last bound is what we know
      const inBucket = cumulative - below;
      return inBucket > 0 ? lower + ((le - lower) * (rank - below)) / inBucket : le;
    }
    lower = le;
    below = cumulative;
  }
  return lower;
}

/** A rolling history of samples, one a second. */
export class SampleHistory {
  private samples: Sample[] = [];
  constructor(private readonly keep = 120) {}

  push(sample: Sample): void {
    this.samples.push(sample);
    if (this.samples.length > this.keep) this.samples.shift();
  }

  get latest(): Sample | undefined {
    return this.samples.at(-1);
  }

  /** The newest sample at least `seconds` older than the latest (or the oldest there is). */
  ago(seconds: number): Sample | undefined {
    const latest = this.latest;
    if (!latest) return undefined;
    for (let i = this.samples.length - 1; i >= 0; i--) if (latest.at - this.samples[i]!.at >= seconds * 1000) return this.samples[i];
    return this.samples[0];
  }

  /** When `name`'s total last grew (e.g. the last click batch written), or null if not within the history. */
  lastIncrease(name: string): number | null {
    for (let i = this.samples.length - 1; i > 0; i--) {
      if (total(this.samples[i]!, name) > total(this.samples[i - 1]!, name)) return this.samples[i]!.at;
    }
    return null;
  }
}
