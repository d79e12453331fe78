import client from "prom-client";
import { describe, expect, it } from "vitest";
import { HotHistogram } from "./hot-histogram";

describe("HotHistogram", () => {
  it("is scraped exactly like a prom-client Histogram fed the same values", async () => {
    const buckets = [0.0001, 0.001, 0.01];
    const hot = new HotHistogram({ name: "hot_histogram_test_seconds", help: "Test.", buckets });
    const reference = new client.Histogram({ name: "reference_histogram_test_seconds", help: "Test.", buckets });
    for (const value of [0.00005, 0.0001, 0.0004, 0.002, 0.002, 0.5]) {
      hot.observe(value);
      reference.observe(value);
    }
    const text = await client.register.getSingleMetricAsString("hot_histogram_test_seconds");
    const expected = await client.register.getSingleMetricAsString("reference_histogram_test_seconds");
    expect(text).toBe(expected.replaceAll("reference_histogram", "hot_histogram"));
    expect(text).toContain('hot_histogram_test_seconds_bucket{le="0.001"} 3');
    expect(text).toContain('hot_histogram_test_seconds_bucket{le="+Inf"} 6');

    hot.reset();
    expect(await client.register.getSingleMetricAsString("hot_histogram_test_seconds")).toContain("hot_histogram_test_seconds_count 0");
  });
});
