// The tRPC route refuses a batch of more calls than TRPC_MAX_BATCH_SIZE as a whole, before any call runs (or the
// session is read), and counts it in /metrics.
import client from "prom-client";
import { describe, expect, it } from "vitest";
import { GET, POST } from "~/app/api/trpc/[trpc]/route";
import { env } from "../env";

async function limitedCount(): Promise<number> {
  const metric = await client.register.getSingleMetric("rate_limited_total")?.get();
  return metric?.values.find((v) => v.labels.limit === "trpc_batch")?.value ?? 0;
}

const batchUrl = (calls: number) => `http://localhost/api/trpc/${Array.from({ length: calls }, () => "program.settings").join(",")}?batch=1`;

describe("tRPC batch size", () => {
  it("refuses an oversized batch (GET and POST) with a clear error, counted", async () => {
    const max = env().TRPC_MAX_BATCH_SIZE;
    const before = await limitedCount();
    const get = await GET(new Request(batchUrl(max + 1)));
    expect(get.status).toBe(400);
    expect(JSON.stringify(await get.json())).toContain("Batch call exceeds maximum size");
    const body = JSON.stringify(Object.fromEntries(Array.from({ length: 500 }, (_, i) => [i, {}])));
    const post = await POST(new Request(batchUrl(500), { method: "POST", body, headers: { "content-type": "application/json" } }));
    expect(post.status).toBe(400);
    expect(await limitedCount()).toBe(before + 2);
  });
});
