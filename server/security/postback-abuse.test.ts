// Abuse of /api/postback over real HTTP on our own server: a flood of malformed postbacks costs no 5xx, no
// conversion and a bounded number of log rows; identical refusals share one row; the failure limits answer 429
// with Retry-After and are counted in /metrics, while a valid token's postbacks keep passing.
import client from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "../db";
import { PostbackLimiter } from "../conversions/limiter";
import { type PostbackClient, startPostbackServer } from "../conversions/testing";
import { clickIdFor, createProgram, unique } from "../testing/fixtures";

let api: PostbackClient | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function limitedCount(limit: string): Promise<number> {
  const metric = await client.register.getSingleMetric("rate_limited_total")?.get();
  return metric?.values.find((v) => v.labels.limit === limit)?.value ?? 0;
}

/** Runs `count` requests, `concurrency` at a time; the statuses seen, with how many of each. */
async function flood(count: number, concurrency: number, send: (i: number) => Promise<{ status: number }>) {
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const { status } = await send(next++);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

describe("a flood of malformed postbacks", () => {
  it("10,000 of them: no 5xx, no conversion, log rows bounded by the per-IP limit", async () => {
    const perIp = 40;
    api = await startPostbackServer({}, new PostbackLimiter({ perIp, perToken: 1_000, blockSeconds: 60 }));
    const marker = unique("junk");
    const logsBefore = await db.postbackLog.count({ where: { merchantId: null } });
    const conversionsBefore = await db.conversion.count();
    const client = api;
    const statuses = await flood(10_000, 16, (i) => {
      switch (i % 4) {
        case 0:
          return client.get({ txn_id: `${marker}-${i}`, amount: "10.00" }); // no token
        case 1:
          return client.get({ token: `pbt_wrong_${i}`, txn_id: `${marker}-${i}`, click_id: "forged" });
        case 2:
          return client.post(`{"token": "pbt_x", "txn_id": `, "application/json", {}, `?m=${marker}`); // broken JSON
        default:
          return client.post("a".repeat(100), "text/plain", { "x-postback-token": `pbt_${i}` });
      }
    });
    const serverErrors = [...statuses].filter(([status]) => status >= 500).reduce((n, [, c]) => n + c, 0);
    expect(serverErrors).toBe(0);
    expect(statuses.get(429)).toBeGreaterThanOrEqual(10_000 - perIp - 16);
    expect(await db.conversion.count()).toBe(conversionsBefore); // the test database is shared: nothing new at all
    const logsAfter = await db.postbackLog.count({ where: { merchantId: null } });
    // Other test files write anonymous refusals meanwhile; this flood adds at most the limit's worth (+ the in-flight ones).
    expect(logsAfter - logsBefore).toBeLessThanOrEqual(perIp + 16 + 50);
  }, 240_000);

  it("identical refusals from one source share one log row with a count", async () => {
    api = await startPostbackServer({}, null);
    const { merchant } = await createProgram();
    const txn = unique("same");
    for (let i = 0; i < 25; i++) {
      const answer = await api.get({ token: merchant.postbackToken, txn_id: txn, click_id: "forged-click-id" });
      expect(answer.status).toBe(400);
    }
    const other = await api.get({ token: merchant.postbackToken, txn_id: `${txn}-b`, click_id: "forged-click-id" });
    expect(other.status).toBe(400);
    const logs = await db.postbackLog.findMany({ where: { merchantId: merchant.id }, orderBy: { receivedAt: "asc" } });
    expect(logs.map((l) => [l.reasonCode, l.repeatCount])).toEqual([
      ["forged_click", 25],
      ["forged_click", 1],
    ]);
    expect(logs[0]!.lastReceivedAt!.getTime()).toBeGreaterThanOrEqual(logs[0]!.receivedAt.getTime());
    expect(logs[1]!.lastReceivedAt).toEqual(logs[1]!.receivedAt);
  });
});

describe("postback failure limits", () => {
  it("blocks an IP after its anonymous failures with 429 + Retry-After, before any work; a known good token still passes", async () => {
    api = await startPostbackServer({}, new PostbackLimiter({ perIp: 3, perToken: 1_000, blockSeconds: 120 }));
    const { merchant, link } = await createProgram();
    const good = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("ok") });
    expect(good.status).toBe(200);
    const before = await limitedCount("postback_ip");
    const marker = unique("wrong");
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await api.get({ token: "pbt_wrong", txn_id: `${marker}-${i}` }));
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 429, 429]);
    expect(answers[4]!.headers.get("retry-after")).toBe("120");
    expect(answers[4]!.body).toMatchObject({ error: { code: "too_many_failures" } });
    expect(await limitedCount("postback_ip")).toBe(before + 2);
    // The blocked answers wrote nothing.
    const logged = await db.postbackLog.count({ where: { params: { path: ["txn_id"], string_starts_with: marker } } });
    expect(logged).toBe(4);
    // The merchant whose token was accepted earlier is not locked out by a flood from its address.
    const again = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("ok") });
    expect(again.status).toBe(200);
  });

  it("answers a valid token's refusals 429 past its limit, while its valid postbacks keep passing", async () => {
    api = await startPostbackServer({}, new PostbackLimiter({ perIp: 1_000, perToken: 3, blockSeconds: 30 }));
    const { merchant, link } = await createProgram();
    const before = await limitedCount("postback_token");
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.get({ token: merchant.postbackToken, txn_id: unique("bad"), click_id: "forged" })).status);
    expect(statuses).toEqual([400, 400, 400, 429, 429]);
    const refused = await api.get({ token: merchant.postbackToken, txn_id: unique("bad"), click_id: "forged" });
    expect(refused.headers.get("retry-after")).toMatch(/^(29|30)$/);
    expect(await limitedCount("postback_token")).toBe(before + 3);
    const ok = await api.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("ok") });
    expect(ok.status).toBe(200);
    // Never a conversion for a refusal.
    expect(await db.conversion.count({ where: { merchantId: merchant.id } })).toBe(1);
  });

  it("never limits a valid token's accepted traffic", async () => {
    api = await startPostbackServer({}, new PostbackLimiter({ perIp: 1, perToken: 1, blockSeconds: 60 }));
    const { merchant, link } = await createProgram();
    const client = api;
    const statuses = await flood(200, 8, () => client.get({ token: merchant.postbackToken, click_id: clickIdFor(link.id), txn_id: unique("peak") }));
    expect([...statuses]).toEqual([[200, 200]]);
  });
});
