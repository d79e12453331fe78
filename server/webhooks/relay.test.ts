// The relay against the real database and real HTTP receivers on 127.0.0.1. Each test scopes its relays to its
// own merchants (other test files share the database and its outbox). The scheduling clock is injected, so
// retries hours apart run in milliseconds; signatures carry the wall clock and are verified for real.
import client from "prom-client";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { createMerchant } from "../testing/fixtures";
import { startTcpProxy } from "../testing/tcp-proxy";
import { type RelayOptions, WebhookRelay } from "./relay";
import { API_VERSION } from "./events";
import { generateSecret, signHeaders } from "./signing";
import { parsePolicy } from "./ssrf";
import { wakeRelays } from "./store";
import { type Receiver, type Reply, startReceiver } from "./test-receiver";

const allowLocal = parsePolicy("127.0.0.1", false);
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.allSettled(cleanup.splice(0).map((fn) => fn()));
});

class Clock {
  at = new Date();
  now = () => this.at;
  advance(ms: number) {
    this.at = new Date(this.at.getTime() + ms);
  }
}

function relay(merchantIds: string[], options: RelayOptions = {}) {
  const r = new WebhookRelay({ policy: allowLocal, merchantIds, log: () => {}, random: () => 0.5, ...options });
  cleanup.push(() => r.stop(100));
  return r;
}

async function receiver(reply?: Receiver["reply"]) {
  const r = await startReceiver(reply);
  cleanup.push(() => r.close());
  return r;
}

/** A receiver that answers 200 only to correctly signed requests (400 otherwise) and remembers failures. */
async function verifyingReceiver(secret: string) {
  const failures: string[] = [];
  const r = await receiver((req) => {
    try {
      new Webhook(secret).verify(req.body, req.headers);
      return { status: 200, body: "ok" };
    } catch (error) {
      failures.push((error as Error).message);
      return { status: 400, body: "bad signature" };
    }
  });
  return Object.assign(r, { failures });
}

type EndpointFields = { secret?: string; eventTypes?: string[]; enabled?: boolean; previousSecret?: string; previousSecretUntil?: Date };

async function endpoint(merchantId: string, url: string, fields: EndpointFields = {}) {
  return db.webhookEndpoint.create({ data: { merchantId, url, secret: generateSecret(), ...fields } });
}

async function emit(merchantId: string, count: number, type = "conversion.created") {
  const rows = await db.outboxEvent.createManyAndReturn({
    data: Array.from({ length: count }, (_, i) => ({ merchantId, type, payload: { n: i, amountMinor: 4990, currency: "EUR" } })),
  });
  return rows.map((r) => r.id);
}

const deliveriesOf = (endpointId: string) =>
  db.webhookDelivery.findMany({ where: { endpointId }, include: { attemptLog: { orderBy: { attempt: "asc" } } }, orderBy: { createdAt: "asc" } });

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const allSucceeded = (endpointIds: string[], expected: number) => async () =>
  (await db.webhookDelivery.count({ where: { endpointId: { in: endpointIds }, status: "SUCCEEDED" } })) === expected;

async function attemptsMetric(outcome: string): Promise<number> {
  const metric = client.register.getSingleMetric("webhook_attempts_total")!;
  return (await metric.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
}

const ids = (r: Receiver) => r.requests.map((q) => q.headers["webhook-id"]);

describe("fan-out and signed delivery", () => {
  it("delivers each event to each subscribed, enabled endpoint of its merchant, signed so standardwebhooks verifies it", async () => {
    const [m, other] = await Promise.all([createMerchant(), createMerchant()]);
    const [secretAll, secretCommissions] = [generateSecret(), generateSecret()];
    const [allRx, commissionRx, disabledRx, otherRx] = await Promise.all([
      verifyingReceiver(secretAll),
      verifyingReceiver(secretCommissions),
      receiver(),
      receiver(),
    ]);
    await endpoint(m.id, allRx.url, { secret: secretAll });
    const onlyCommissions = await endpoint(m.id, commissionRx.url, { secret: secretCommissions, eventTypes: ["commission.created"] });
    await endpoint(m.id, disabledRx.url, { enabled: false });
    await endpoint(other.id, otherRx.url, { eventTypes: ["fraud.flagged"] });

    const [conversion] = await emit(m.id, 1, "conversion.created");
    const [commission] = await emit(m.id, 1, "commission.created");
    const [flag] = await emit(m.id, 1, "fraud.flagged");
    await relay([m.id, other.id]).runUntilIdle();

    expect(ids(allRx).sort()).toEqual([conversion, commission, flag].sort());
    expect(ids(commissionRx)).toEqual([commission]);
    expect(disabledRx.requests).toHaveLength(0);
    expect(otherRx.requests).toHaveLength(0); // another merchant's endpoint never sees m's events
    expect([...allRx.failures, ...commissionRx.failures]).toEqual([]);

    const sent = allRx.requests.find((q) => q.headers["webhook-id"] === commission)!;
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(Math.abs(Number(sent.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    const envelope = JSON.parse(sent.body);
    expect(envelope).toEqual({
      id: commission,
      type: "commission.created",
      api_version: API_VERSION,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { n: 0, amountMinor: 4990, currency: "EUR" },
    });

    const [delivery] = await deliveriesOf(onlyCommissions.id);
    expect(delivery).toMatchObject({ status: "SUCCEEDED", attempts: 1, lastStatusCode: 200, eventType: "commission.created" });
    expect(delivery!.deliveredAt).not.toBeNull();
    expect(delivery!.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, statusCode: 200, responseExcerpt: "ok", error: null, latencyMs: expect.any(Number) }),
    ]);
    const outbox = await db.outboxEvent.findMany({ where: { id: { in: [conversion!, commission!, flag!] } } });
    expect(outbox.every((e) => e.processedAt !== null)).toBe(true);
  });

  it("during a rotation window signs with both secrets, each verifying on its own", async () => {
    const m = await createMerchant();
    const previousSecret = generateSecret();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx.url, { previousSecret, previousSecretUntil: new Date(Date.now() + 3600e3) });
    const expired = await endpoint(m.id, rx.url, { previousSecret, previousSecretUntil: new Date(Date.now() - 1000) });
    await emit(m.id, 1);
    await relay([m.id]).runUntilIdle();

    expect(rx.requests).toHaveLength(2);
    const byEndpoint = (secret: string) => rx.requests.find((q) => verifies(secret, q))!;
    const rotating = byEndpoint(ep.secret);
    const signatures = rotating.headers["webhook-signature"]!.split(" ");
    expect(signatures).toHaveLength(2);
    for (const secret of [ep.secret, previousSecret]) expect(verifies(secret, rotating)).toBe(true);
    // Each signature alone is one of the two secrets' (not just "some signature matched").
    const alone = (sig: string) => ({ ...rotating, headers: { ...rotating.headers, "webhook-signature": sig } });
    expect(verifies(ep.secret, alone(signatures[0]!))).toBe(true);
    expect(verifies(previousSecret, alone(signatures[1]!))).toBe(true);

    const afterWindow = byEndpoint(expired.secret);
    expect(afterWindow.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(verifies(previousSecret, afterWindow)).toBe(false);
  });

  it("sign/verify round trip fails for a tampered body", () => {
    const secret = generateSecret();
    const headers = signHeaders("evt_1", '{"a":1}', [secret], new Date());
    expect(verifies(secret, { headers, body: '{"a":1}' })).toBe(true);
    expect(verifies(secret, { headers, body: '{"a":2}' })).toBe(false);
  });
});

function verifies(secret: string, request: { headers: Record<string, string>; body: string }): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers);
    return true;
  } catch {
    return false;
  }
}

describe("retries", () => {
  it("backs off 5 s then 5 min, keeps the webhook-id across retries and logs every attempt", async () => {
    const m = await createMerchant();
    const answers: Reply[] = [{ status: 500, body: "boom" }, { status: 502, body: "x".repeat(5000) }, { status: 200, body: "ok" }];
    const rx = await receiver((_, i) => answers[i]!);
    const ep = await endpoint(m.id, rx.url);
    const [eventId] = await emit(m.id, 1);
    const clock = new Clock();
    const r = relay([m.id], { now: clock.now });
    const before = { retry: await attemptsMetric("retry"), succeeded: await attemptsMetric("succeeded") };

    await r.runUntilIdle();
    let [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastStatusCode: 500, lastError: "HTTP 500" });
    expect(d!.nextAttemptAt!.getTime()).toBe(clock.at.getTime() + 5_000);
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } })).failingSince).toEqual(clock.at);

    clock.advance(4_900);
    await r.runUntilIdle();
    expect(rx.requests).toHaveLength(1); // not due yet

    clock.advance(100);
    await r.runUntilIdle();
    [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 2, lastStatusCode: 502 });
    expect(d!.nextAttemptAt!.getTime()).toBe(clock.at.getTime() + 5 * 60_000);

    clock.advance(5 * 60_000);
    await r.runUntilIdle();
    [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "SUCCEEDED", attempts: 3, lastStatusCode: 200, lastError: null });
    expect(d!.attemptLog.map((a) => [a.attempt, a.statusCode])).toEqual([[1, 500], [2, 502], [3, 200]]);
    expect(d!.attemptLog[0]!.responseExcerpt).toBe("boom");
    expect(Buffer.byteLength(d!.attemptLog[1]!.responseExcerpt!)).toBe(1024); // excerpt capped at 1 KB
    expect(ids(rx)).toEqual([eventId, eventId, eventId]);
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } })).failingSince).toBeNull();
    expect(await attemptsMetric("retry")).toBe(before.retry + 2);
    expect(await attemptsMetric("succeeded")).toBe(before.succeeded + 1);
  });

  it("honours Retry-After", async () => {
    const m = await createMerchant();
    const rx = await receiver(() => ({ status: 503, headers: { "retry-after": "120" } }));
    const ep = await endpoint(m.id, rx.url);
    await emit(m.id, 1);
    const clock = new Clock();
    await relay([m.id], { now: clock.now }).runUntilIdle();
    const [d] = await deliveriesOf(ep.id);
    expect(d!.nextAttemptAt!.getTime()).toBe(clock.at.getTime() + 120_000);
  });

  it("logs a network failure with its reason", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    await rx.close(); // nothing listens on that port any more
    const ep = await endpoint(m.id, rx.url);
    await emit(m.id, 1);
    await relay([m.id]).runUntilIdle();
    const [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastStatusCode: null, lastError: "connection refused" });
    expect(d!.attemptLog[0]).toMatchObject({ statusCode: null, error: "connection refused" });
  });

  it("times out a request that never answers and retries it", async () => {
    const m = await createMerchant();
    const rx = await receiver(() => "hang");
    const ep = await endpoint(m.id, rx.url);
    await emit(m.id, 1);
    await relay([m.id], { timeoutMs: 300 }).runUntilIdle();
    const [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastError: "timed out after 0.3 s" });
  });
});

describe("disabling endpoints", () => {
  it("disables the endpoint at once on 410 Gone and fails its pending deliveries with the reason", async () => {
    const m = await createMerchant();
    const rx = await receiver(() => ({ status: 410 }));
    const ep = await endpoint(m.id, rx.url);
    await emit(m.id, 3);
    await relay([m.id], { perEndpoint: 1 }).runUntilIdle();

    const after = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } });
    expect(after).toMatchObject({ enabled: false, disabledReason: "The endpoint answered 410 Gone." });
    expect(after.disabledAt).not.toBeNull();
    expect(rx.requests).toHaveLength(1); // one request per slot; the others were failed, not sent
    const deliveries = await deliveriesOf(ep.id);
    expect(deliveries.map((d) => d.status)).toEqual(["FAILED", "FAILED", "FAILED"]);
    expect(deliveries.filter((d) => d.lastError?.startsWith("endpoint disabled: The endpoint answered 410"))).toHaveLength(2);
  });

  it("disables an endpoint that has failed for a whole day, with a reason the merchant can read", async () => {
    const m = await createMerchant();
    const rx = await receiver(() => ({ status: 500 }));
    const clock = new Clock();
    const ep = await endpoint(m.id, rx.url);
    await db.webhookEndpoint.update({ where: { id: ep.id }, data: { failingSince: new Date(clock.at.getTime() - 25 * 3600e3) } });
    await emit(m.id, 1);
    await relay([m.id], { now: clock.now }).runUntilIdle();
    const after = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.id } });
    expect(after.enabled).toBe(false);
    expect(after.disabledReason).toMatch(/^Every delivery failed for 25 hours .*last error: HTTP 500\.$/);
  });
});

describe("isolation and concurrency", () => {
  it("one endpoint that never answers holds at most its per-endpoint slots; the others get everything", async () => {
    const m = await createMerchant();
    const [dead, healthy] = await Promise.all([receiver(() => "hang"), receiver()]);
    const deadEp = await endpoint(m.id, dead.url);
    const healthyEp = await endpoint(m.id, healthy.url);
    await emit(m.id, 30);
    const r = relay([m.id], { perEndpoint: 2, timeoutMs: 60_000 });
    await r.start();
    await waitUntil(allSucceeded([healthyEp.id], 30));
    expect(dead.requests).toHaveLength(2);
    expect(r.inFlight).toBe(2);
    expect(await db.webhookDelivery.count({ where: { endpointId: deadEp.id, status: "PENDING", attempts: 0 } })).toBe(30);
  });

  it("two relays at once deliver each event exactly once per endpoint", async () => {
    const m = await createMerchant();
    const [a, b] = await Promise.all([receiver(), receiver()]);
    const [epA, epB] = await Promise.all([endpoint(m.id, a.url), endpoint(m.id, b.url)]);
    const first = relay([m.id]);
    const second = relay([m.id]);
    await Promise.all([first.start(), second.start()]);
    const events: string[] = [];
    for (let i = 0; i < 10; i++) {
      events.push(...(await emit(m.id, 20)));
      await wakeRelays(getPool());
    }
    await waitUntil(allSucceeded([epA.id, epB.id], 400));
    for (const rx of [a, b]) {
      expect(rx.requests).toHaveLength(200);
      expect(new Set(ids(rx)).size).toBe(200);
      expect(new Set(ids(rx))).toEqual(new Set(events));
    }
    expect(await db.webhookAttempt.count({ where: { delivery: { endpointId: { in: [epA.id, epB.id] } } } })).toBe(400);
  });

  it("killing a relay mid-batch loses nothing: another relay delivers its claims once the lease expires", async () => {
    const m = await createMerchant();
    let answering = false;
    const rx = await receiver(() => (answering ? { status: 200 } : "hang"));
    const ep = await endpoint(m.id, rx.url);
    const events = await emit(m.id, 12);
    const doomed = relay([m.id], { perEndpoint: 4 });
    await doomed.start();
    await rx.waitFor(4);
    await doomed.kill();

    const leased = await db.webhookDelivery.findMany({ where: { endpointId: ep.id, nextAttemptAt: { gt: new Date(Date.now() + 30_000) } } });
    expect(leased).toHaveLength(4); // its in-flight claims are still reserved…
    expect(await db.webhookDelivery.count({ where: { endpointId: ep.id, status: "PENDING", attempts: 0 } })).toBe(12);

    answering = true;
    const clock = new Clock();
    const survivor = relay([m.id], { now: clock.now });
    await survivor.runUntilIdle();
    expect(await db.webhookDelivery.count({ where: { endpointId: ep.id, status: "SUCCEEDED" } })).toBe(8);

    clock.advance(61_000); // …until the lease runs out
    await survivor.runUntilIdle();
    const deliveries = await deliveriesOf(ep.id);
    expect(deliveries.map((d) => d.status)).toEqual(Array(12).fill("SUCCEEDED"));
    expect(deliveries.every((d) => d.attempts === 1)).toBe(true);
    const answered = rx.requests.slice(4).map((q) => q.headers["webhook-id"]);
    expect(answered.sort()).toEqual([...events].sort());
  });

  it("a graceful stop releases what it cannot finish, so the next relay sends it at once", async () => {
    const m = await createMerchant();
    let answering = false;
    const rx = await receiver(() => (answering ? { status: 200 } : "hang"));
    const ep = await endpoint(m.id, rx.url);
    await emit(m.id, 2);
    const stopping = relay([m.id]);
    await stopping.start();
    await rx.waitFor(2);
    await stopping.stop(100);
    const released = await deliveriesOf(ep.id);
    expect(released.every((d) => d.status === "PENDING" && d.attempts === 0 && d.nextAttemptAt! <= new Date())).toBe(true);
    expect(released.every((d) => d.attemptLog.length === 0)).toBe(true); // an aborted send is not the endpoint's failure

    answering = true;
    await relay([m.id]).runUntilIdle();
    expect((await deliveriesOf(ep.id)).map((d) => d.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  it("re-listens after losing its database connection and delivers what was written meanwhile", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx.url);
    const target = new URL(process.env.DATABASE_URL!);
    const proxy = await startTcpProxy(target.hostname, Number(target.port));
    cleanup.push(() => proxy.close());
    // No poll to speak of: only LISTEN (and its reconnect) can wake this relay.
    const r = relay([m.id], { connectionString: proxy.urlFor(process.env.DATABASE_URL!), pollMs: 3_600_000 });
    await r.start();
    proxy.down();
    await emit(m.id, 3);
    await wakeRelays(getPool()); // lost: the relay is not connected
    await new Promise((resolve) => setTimeout(resolve, 300));
    proxy.up();
    await waitUntil(allSucceeded([ep.id], 3));
    expect(rx.requests).toHaveLength(3);
  });
});

describe("SSRF at send time", () => {
  it("refuses a stored URL that targets loopback when it is not allow-listed, and logs why", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx.url); // written straight to the database, past the save-time check
    await emit(m.id, 1);
    await relay([m.id], { policy: parsePolicy("", false) }).runUntilIdle();
    expect(rx.requests).toHaveLength(0);
    const [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastError: "URL is refused: 127.0.0.1 is a loopback address" });
  });

  it("refuses a host name that resolves to loopback (localhost)", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx.url.replace("127.0.0.1", "localhost"));
    await emit(m.id, 1);
    await relay([m.id], { policy: parsePolicy("", false) }).runUntilIdle();
    expect(rx.requests).toHaveLength(0);
    const [d] = await deliveriesOf(ep.id);
    expect(d!.lastError).toMatch(/^URL is refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address$/);
  });
});
