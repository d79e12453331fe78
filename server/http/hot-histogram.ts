// A label-less Prometheus histogram for paths that observe on every request (the /go redirect). prom-client's
// Histogram hashes a label set and walks objects on each observe (~0.35 µs, and more under load, where its garbage
// and cache misses land between redirects); this one is a bucket search and three numeric updates. It sits in
// prom-client's default registry like any metric: the registry calls `get()` when /metrics is scraped and prints
// the same `_bucket{le=…}`, `_sum` and `_count` lines a prom-client Histogram would.
import client from "prom-client";

interface HotHistogramConfig {
  name: string;
  help: string;
  /** Upper bounds, ascending; +Inf is added. */
  buckets: readonly number[];
}

export class HotHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly name: string;
  readonly help: string;
  private readonly bounds: readonly number[];
  /** Per bucket, not cumulative; the last slot is +Inf. */
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor({ name, help, buckets }: HotHistogramConfig) {
    this.name = name;
    this.help = help;
    this.bounds = [...buckets];
    this.counts = new Float64Array(buckets.length + 1);
    // The registry only needs name, help, type and get(); prom-client's types list its own classes alone.
    client.register.registerMetric(this as unknown as client.Metric);
  }

  observe(value: number): void {
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += value;
    this.count += 1;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }

  async get() {
    const values: { metricName: string; labels: { le?: number | string }; value: number }[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i]!;
      values.push({ metricName: `${this.name}_bucket`, labels: { le: i < this.bounds.length ? this.bounds[i]! : "+Inf" }, value: cumulative });
    }
    values.push({ metricName: `${this.name}_sum`, labels: {}, value: this.sum });
    values.push({ metricName: `${this.name}_count`, labels: {}, value: this.count });
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
