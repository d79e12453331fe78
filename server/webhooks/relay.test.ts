// The relay against the real database and real HTTP receivers on 127.0.0.1, each verifying every signature with
// standardwebhooks (a test fails if any request did not verify). Each test scopes its relays to its own merchants
// (other test files share the database and its outbox). The scheduling clock is injected, so retries hours apart
// run in milliseconds; signatures carry the wall clock and are verified for real.
import { spawn } from "node:child_process";
import path from "node:path";
import client from "prom-client";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { db, getPool } from "../db";
import { createMerchant, createWebhookEndpoint } from "../testing/fixtures";
import { startTcpProxy } from "../testing/tcp-proxy";
import { API_VERSION } from "./events";
import { type RelayOptions, WebhookRelay } from "./relay";
import { RETRY_DELAYS_MS } from "./schedule";
import { sealingKey, sealSecret } from "./secret-box";
import { generateSecret } from "./signing";
import { parsePolicy } from "./ssrf";
import { recordAttempts } from "./store";
import { type Receiver, type Reply, startReceiver } from "./test-receiver";
import { wakeRelays } from "./wake";

const allowLocal = parsePolicy("127.0.0.1", false);
const cleanup: Array<() => Promise<unknown>> = [];
const receivers: Receiver[] = [];
afterEach(async () => {
  const rejected = receivers.splice(0).flatMap((r) => r.rejected);
  await Promise.allSettled(cleanup.splice(0).map((fn) => fn()));
  expect(rejected, "requests whose signature did not verify").toEqual([]);
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
  const r = await startReceiver({ reply });
  receivers.push(r);
  cleanup.push(() => r.close());
  return r;
}

type EndpointFields = { eventTypes?: string[]; enabled?: boolean; previousSecret?: string; previousSecretUntil?: Date; url?: string };

/** An endpoint posting to `rx` (or `fields.url`), whose secret `rx` verifies with. */
async function endpoint(merchantId: string, rx: Receiver, fields: EndpointFields = {}) {
  const secret = generateSecret();
  rx.secrets.push(secret);
  return createWebhookEndpoint({ merchantId, url: rx.url, secret, ...fields });
}

async function emit(merchantId: string, count: number, type = "conversion.created") {
  const rows = await db.outboxEvent.createManyAndReturn({
    data: Array.from({ length: count }, (_, i) => ({ merchantId, type, payload: { n: i, amountMinor: 4990, currency: "EUR" } })),
  });
  return rows.map((r) => r.id);
}

const deliveriesOf = (endpointId: string) =>
  db.webhookDelivery.findMany({ where: { endpointId }, include: { attemptLog: { orderBy: { attempt: "asc" } } }, orderBy: { createdAt: "asc" } });

const deliveryById = (id: string) => db.webhookDelivery.findUniqueOrThrow({ where: { id }, include: { attemptLog: { orderBy: { attempt: "asc" } } } });

const endpointRow = (id: string) => db.webhookEndpoint.findUniqueOrThrow({ where: { id } });

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

function verifies(secret: string, request: { headers: Record<string, string>; body: string }): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers);
    return true;
  } catch {
    return false;
  }
}

describe("fan-out and signed delivery", () => {
  it("delivers each event to each subscribed, enabled endpoint of its merchant, signed so standardwebhooks verifies it", async () => {
    const [m, other] = await Promise.all([createMerchant(), createMerchant()]);
    const [allRx, commissionRx, disabledRx, otherRx] = await Promise.all([receiver(), receiver(), receiver(), receiver()]);
    await endpoint(m.id, allRx);
    const onlyCommissions = await endpoint(m.id, commissionRx, { eventTypes: ["commission.created"] });
    await endpoint(m.id, disabledRx, { enabled: false });
    await endpoint(other.id, otherRx, { eventTypes: ["fraud.flagged"] });

    const [conversion] = await emit(m.id, 1, "conversion.created");
    const [commission] = await emit(m.id, 1, "commission.created");
    const [flag] = await emit(m.id, 1, "fraud.flagged");
    await relay([m.id, other.id]).runUntilIdle();

    expect(ids(allRx).sort()).toEqual([conversion, commission, flag].sort());
    expect(ids(commissionRx)).toEqual([commission]);
    expect(disabledRx.requests).toHaveLength(0);
    expect(otherRx.requests).toHaveLength(0); // another merchant's endpoint never sees m's events
    expect(allRx.requests.every((q) => q.verified)).toBe(true);

    const sent = allRx.requests.find((q) => q.headers["webhook-id"] === commission)!;
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(Math.abs(Number(sent.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    expect(JSON.parse(sent.body)).toEqual({
      id: commission,
      type: "commission.created",
      api_version: API_VERSION,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { n: 0, amountMinor: 4990, currency: "EUR" },
    });

    const [delivery] = await deliveriesOf(onlyCommissions.id);
    expect(delivery).toMatchObject({ status: "SUCCEEDED", attempts: 1, lastStatusCode: 200, eventType: "commission.created", leasedUntil: null });
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
    const ep = await endpoint(m.id, rx, { previousSecret, previousSecretUntil: new Date(Date.now() + 3600e3) });
    const expired = await endpoint(m.id, rx, { previousSecret, previousSecretUntil: new Date(Date.now() - 1000) });
    await emit(m.id, 1);
    await relay([m.id]).runUntilIdle();

    expect(rx.requests).toHaveLength(2);
    const byEndpoint = (secret: string) => rx.requests.find((q) => verifies(secret, q))!;
    const rotating = byEndpoint(ep.secret);
    const signatures = rotating.headers["webhook-signature"]!.split(" ");
    expect(signatures).toHaveLength(2);
    // Each signature alone is one of the two secrets' (not just "some signature matched").
    const alone = (sig: string) => ({ ...rotating, headers: { ...rotating.headers, "webhook-signature": sig } });
    expect(verifies(ep.secret, alone(signatures[0]!))).toBe(true);
    expect(verifies(previousSecret, alone(signatures[1]!))).toBe(true);

    const afterWindow = byEndpoint(expired.secret);
    expect(afterWindow.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(verifies(previousSecret, afterWindow)).toBe(false);
  });

  it("still signs with a secret stored before encryption; a secret no key opens fails the attempt with the reason", async () => {
    const m = await createMerchant();
    const [legacyRx, lostRx] = await Promise.all([receiver(), receiver()]);
    const legacy = await endpoint(m.id, legacyRx);
    await db.webhookEndpoint.update({ where: { id: legacy.id }, data: { secret: legacy.secret } }); // plain, as before
    const lost = await endpoint(m.id, lostRx);
    const otherKey = { current: sealingKey("a key this server was never given, 32+ characters"), previous: null };
    await db.webhookEndpoint.update({ where: { id: lost.id }, data: { secret: sealSecret(lost.secret, lost.id, otherKey) } });
    await emit(m.id, 1);
    await relay([m.id]).runUntilIdle();

    expect(legacyRx.requests).toHaveLength(1);
    expect(lostRx.requests).toHaveLength(0);
    const [failed] = await deliveriesOf(lost.id);
    expect(failed).toMatchObject({ status: "PENDING", attempts: 1 });
    expect(failed!.lastError).toMatch(/^the signing secret cannot be decrypted with WEBHOOK_SECRET_KEY/);
  });
});

describe("retries", () => {
  it("backs off 5 s then 5 min, keeps the webhook-id across retries and logs every attempt", async () => {
    const m = await createMerchant();
    const answers: Reply[] = [{ status: 500, body: "boom" }, { status: 502, body: "x".repeat(5000) }, { status: 200, body: "ok" }];
    const rx = await receiver((_, i) => answers[i]!);
    const ep = await endpoint(m.id, rx);
    const [eventId] = await emit(m.id, 1);
    const clock = new Clock();
    const r = relay([m.id], { now: clock.now });
    const before = { retry: await attemptsMetric("retry"), succeeded: await attemptsMetric("succeeded") };

    await r.runUntilIdle();
    let [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastStatusCode: 500, lastError: "HTTP 500", leasedUntil: null });
    expect(d!.nextAttemptAt!.getTime()).toBe(clock.at.getTime() + 5_000);
    expect((await endpointRow(ep.id)).failingSince).toEqual(clock.at);

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
    expect((await endpointRow(ep.id)).failingSince).toBeNull();
    expect(await attemptsMetric("retry")).toBe(before.retry + 2);
    expect(await attemptsMetric("succeeded")).toBe(before.succeeded + 1);
  });

  it("honours Retry-After", async () => {
    const m = await createMerchant();
    const rx = await receiver(() => ({ status: 503, headers: { "retry-after": "120" } }));
    const ep = await endpoint(m.id, rx);
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
    const ep = await endpoint(m.id, rx);
    await emit(m.id, 1);
    await relay([m.id]).runUntilIdle();
    const [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastStatusCode: null, lastError: "connection refused" });
    expect(d!.attemptLog[0]).toMatchObject({ statusCode: null, error: "connection refused" });
  });

  it("times out a request that never answers and retries it", async () => {
    const m = await createMerchant();
    const rx = await receiver(() => "hang");
    const ep = await endpoint(m.id, rx);
    await emit(m.id, 1);
    await relay([m.id], { timeoutMs: 300 }).runUntilIdle();
    const [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastError: "timed out after 0.3 s" });
  });

  it("a late record of an attempt whose number another relay already logged is dropped, not the whole batch", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx);
    await emit(m.id, 2);
    await relay([m.id]).runUntilIdle();
    const [first, second] = await deliveriesOf(ep.id);
    // Attempt numbers are unique per delivery…
    await expect(db.webhookAttempt.create({ data: { deliveryId: first!.id, attempt: 1, latencyMs: 5 } })).rejects.toThrow(/Unique constraint/);
    // …so a relay whose lease ran out, recording attempt 1 of `first` after another relay did, loses only that row.
    await db.webhookDelivery.update({ where: { id: second!.id }, data: { status: "PENDING", attempts: 1 } });
    const now = new Date();
    const record = (id: string, attempts: number, statusCode: number) => ({
      delivery: { id, endpointId: ep.id, attempts },
      decision: { status: "SUCCEEDED" as const },
      endpointOk: true,
      statusCode,
      latencyMs: 7,
      excerpt: null,
      error: null,
      now,
    });
    await recordAttempts(getPool(), [record(first!.id, 0, 502), record(second!.id, 1, 202)]);
    const [a, b] = await Promise.all([deliveryById(first!.id), deliveryById(second!.id)]);
    expect(a!.attemptLog.map((x) => [x.attempt, x.statusCode])).toEqual([[1, 200]]);
    expect(b).toMatchObject({ status: "SUCCEEDED", attempts: 2, lastStatusCode: 202 });
    expect(b!.attemptLog.map((x) => [x.attempt, x.statusCode])).toEqual([[1, 200], [2, 202]]);
  });
});

describe("disabling endpoints", () => {
  it("disables the endpoint at once on 410 Gone and fails its pending deliveries with the reason", async () => {
    const m = await createMerchant();
    const rx = await receiver(() => ({ status: 410 }));
    const ep = await endpoint(m.id, rx);
    await emit(m.id, 3);
    await relay([m.id], { perEndpoint: 1 }).runUntilIdle();

    const after = await endpointRow(ep.id);
    expect(after).toMatchObject({ enabled: false, disabledReason: "The endpoint answered 410 Gone." });
    expect(after.disabledAt).not.toBeNull();
    expect(rx.requests).toHaveLength(1); // one request per slot; the others were failed, not sent
    const deliveries = await deliveriesOf(ep.id);
    expect(deliveries.map((d) => d.status)).toEqual(["FAILED", "FAILED", "FAILED"]);
    expect(deliveries.filter((d) => d.lastError?.startsWith("endpoint disabled: The endpoint answered 410"))).toHaveLength(2);
  });

  it("disables an endpoint after 24 hours of real failed attempts without a success, saying since when", async () => {
    const m = await createMerchant();
    const rx = await receiver(() => ({ status: 500 }));
    const ep = await endpoint(m.id, rx);
    const clock = new Clock();
    const start = clock.at;
    const r = relay([m.id], { now: clock.now });
    const [first] = await emit(m.id, 1);
    await r.runUntilIdle(); // attempt 1: the failure run starts
    for (const delay of RETRY_DELAYS_MS.slice(0, 6)) {
      clock.advance(delay);
      await r.runUntilIdle();
    }
    // Seven attempts over 17 h 35 min, each failing: still retrying, the endpoint failing since the first one.
    expect(rx.requests.map((q) => q.headers["webhook-id"])).toEqual(Array(7).fill(first));
    expect(await deliveriesOf(ep.id)).toEqual([expect.objectContaining({ status: "PENDING", attempts: 7 })]);
    expect(await endpointRow(ep.id)).toMatchObject({ enabled: true, failingSince: start });

    // A day after the run began, the next failure — another event's first attempt — disables the endpoint.
    clock.at = new Date(start.getTime() + 24 * 3600e3 + 60_000);
    const [second] = await emit(m.id, 1);
    await r.runUntilIdle();
    const after = await endpointRow(ep.id);
    expect(after).toMatchObject({
      enabled: false,
      disabledAt: clock.at,
      disabledReason: `Every delivery failed for 24 hours (since ${start.toISOString()}); last error: HTTP 500.`,
    });
    const deliveries = await deliveriesOf(ep.id);
    expect(deliveries.map((d) => [d.eventId, d.status, d.attempts])).toEqual([
      [first, "FAILED", 7],
      [second, "FAILED", 1],
    ]);
    expect(deliveries[0]!.lastError).toBe(`endpoint disabled: ${after.disabledReason}`);
  });
});

describe("isolation and concurrency", () => {
  it("one endpoint that never answers holds at most its per-endpoint slots; the others get everything", async () => {
    const m = await createMerchant();
    const [dead, healthy] = await Promise.all([receiver(() => "hang"), receiver()]);
    const deadEp = await endpoint(m.id, dead);
    const healthyEp = await endpoint(m.id, healthy);
    await emit(m.id, 30);
    const r = relay([m.id], { perEndpoint: 2, timeoutMs: 60_000 });
    await r.start();
    await waitUntil(allSucceeded([healthyEp.id], 30));
    expect(dead.requests).toHaveLength(2);
    expect(r.inFlight).toBe(2);
    expect(await db.webhookDelivery.count({ where: { endpointId: deadEp.id, status: "PENDING", attempts: 0 } })).toBe(30);
  });

  it("the per-endpoint cap holds over all relays: a second relay adds no request to a slow endpoint whose slots are full", async () => {
    const m = await createMerchant();
    const [slow, healthy] = await Promise.all([receiver(() => "hang"), receiver()]);
    const slowEp = await endpoint(m.id, slow);
    const healthyEp = await endpoint(m.id, healthy);
    await emit(m.id, 20);
    const options = { perEndpoint: 3, timeoutMs: 60_000, pollMs: 50 };
    const first = relay([m.id], options);
    await first.start();
    await slow.waitFor(3);
    const second = relay([m.id], options);
    await second.start();
    for (let i = 0; i < 5; i++) {
      await emit(m.id, 4);
      await wakeRelays(getPool()); // both relays claim at once, again and again
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await waitUntil(allSucceeded([healthyEp.id], 40));
    expect(slow.requests).toHaveLength(3);
    expect([first.inFlight, second.inFlight]).toEqual([3, 0]);
    expect(await db.webhookDelivery.count({ where: { endpointId: slowEp.id, leasedUntil: { gt: new Date() } } })).toBe(3);
  });

  it("two relays at once deliver each event exactly once per endpoint", async () => {
    const m = await createMerchant();
    const [a, b] = await Promise.all([receiver(), receiver()]);
    const [epA, epB] = await Promise.all([endpoint(m.id, a), endpoint(m.id, b)]);
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
      expect(new Set(ids(rx))).toEqual(new Set(events));
    }
    expect(await db.webhookAttempt.count({ where: { delivery: { endpointId: { in: [epA.id, epB.id] } } } })).toBe(400);
  });

  it("a relay process SIGKILLed with requests in flight loses nothing: another relay delivers its claims once the lease expires", async () => {
    const m = await createMerchant();
    let answering = false;
    const rx = await receiver(() => (answering ? { status: 200 } : "hang"));
    const ep = await endpoint(m.id, rx);
    const events = await emit(m.id, 12);

    const child = spawn(process.execPath, ["--import", "tsx", path.join(import.meta.dirname, "test-relay-process.ts"), m.id, "4"], {
      env: process.env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    cleanup.push(async () => child.kill("SIGKILL"));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    await rx.waitFor(4, 30_000); // the child started, fanned out and has 4 requests waiting for an answer
    child.kill("SIGKILL");
    await exited;

    const leased = await db.webhookDelivery.findMany({ where: { endpointId: ep.id, leasedUntil: { gt: new Date() } } });
    expect(leased.map((d) => d.eventId).sort()).toEqual(rx.requests.map((q) => q.headers["webhook-id"]).sort());
    expect(await db.webhookDelivery.count({ where: { endpointId: ep.id, status: "PENDING", attempts: 0 } })).toBe(12);
    expect(await db.webhookAttempt.count({ where: { delivery: { endpointId: ep.id } } })).toBe(0); // it recorded nothing

    answering = true;
    const clock = new Clock();
    const survivor = relay([m.id], { now: clock.now });
    await survivor.runUntilIdle();
    expect(await db.webhookDelivery.count({ where: { endpointId: ep.id, status: "SUCCEEDED" } })).toBe(8);

    clock.advance(61_000); // …until the dead process's leases run out
    await survivor.runUntilIdle();
    const deliveries = await deliveriesOf(ep.id);
    expect(deliveries.map((d) => [d.status, d.attempts, d.leasedUntil])).toEqual(Array(12).fill(["SUCCEEDED", 1, null]));
    const answered = rx.requests.slice(4).map((q) => q.headers["webhook-id"]);
    expect(answered.sort()).toEqual([...events].sort());
  }, 60_000);

  it("a graceful stop releases what it cannot finish, so the next relay sends it at once", async () => {
    const m = await createMerchant();
    let answering = false;
    const rx = await receiver(() => (answering ? { status: 200 } : "hang"));
    const ep = await endpoint(m.id, rx);
    await emit(m.id, 2);
    const stopping = relay([m.id]);
    await stopping.start();
    await rx.waitFor(2);
    await stopping.stop(100);
    const released = await deliveriesOf(ep.id);
    expect(released.every((d) => d.status === "PENDING" && d.attempts === 0 && d.leasedUntil === null && d.nextAttemptAt! <= new Date())).toBe(true);
    expect(released.every((d) => d.attemptLog.length === 0)).toBe(true); // an aborted send is not the endpoint's failure

    answering = true;
    await relay([m.id]).runUntilIdle();
    expect((await deliveriesOf(ep.id)).map((d) => d.status)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
  });

  it("re-listens after losing its database connection and delivers what was written meanwhile", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx);
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

describe("retention", () => {
  const DAY = 24 * 3600e3;

  it("deletes finished deliveries (with their attempts) and processed outbox rows past the age, in batches; keeps the rest", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx);
    const [oldDone, oldFailed, oldPending, recent] = await emit(m.id, 4);
    const r = relay([m.id], { retentionMs: 30 * DAY });
    await r.runUntilIdle();
    const [unprocessed] = await emit(m.id, 1); // not fanned out yet
    const old = new Date(Date.now() - 31 * DAY);
    const byEvent = (eventId: string) => ({ endpointId_eventId: { endpointId: ep.id, eventId } });
    await db.webhookDelivery.update({ where: byEvent(oldDone!), data: { createdAt: old, updatedAt: old } });
    await db.webhookDelivery.update({ where: byEvent(oldFailed!), data: { status: "FAILED", createdAt: old, updatedAt: old } });
    await db.webhookDelivery.update({ where: byEvent(oldPending!), data: { status: "PENDING", createdAt: old, updatedAt: old } });
    await db.outboxEvent.updateMany({ where: { id: { in: [oldDone!, oldFailed!, oldPending!, unprocessed!] } }, data: { createdAt: old } });
    await db.outboxEvent.updateMany({ where: { id: { in: [oldDone!, oldFailed!, oldPending!] } }, data: { processedAt: old } });

    expect(await r.prune(1)).toEqual({ deliveries: 2, events: 3 }); // one row of each kind per batch
    expect((await deliveriesOf(ep.id)).map((d) => d.eventId).sort()).toEqual([oldPending, recent].sort());
    expect(await db.webhookAttempt.count({ where: { delivery: { endpointId: ep.id } } })).toBe(2);
    const kept = await db.outboxEvent.findMany({ where: { merchantId: m.id } });
    expect(kept.map((e) => e.id).sort()).toEqual([recent, unprocessed].sort());
  });

  it("runs on one relay at a time: while another holds the retention lock, a relay deletes nothing", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx);
    await emit(m.id, 1);
    const r = relay([m.id], { retentionMs: DAY });
    await r.runUntilIdle();
    const old = new Date(Date.now() - 2 * DAY);
    await db.webhookDelivery.updateMany({ where: { endpointId: ep.id }, data: { createdAt: old, updatedAt: old } });

    const other = await getPool().connect();
    try {
      await other.query("BEGIN");
      await other.query("SELECT pg_advisory_xact_lock(hashtext('webhook retention'))");
      expect(await r.prune()).toEqual({ deliveries: 0, events: 0 });
      expect(await db.webhookDelivery.count({ where: { endpointId: ep.id } })).toBe(1);
    } finally {
      await other.query("COMMIT");
      other.release();
    }
    expect(await r.prune()).toMatchObject({ deliveries: 1 });
  });
});

describe("SSRF at send time", () => {
  it("refuses a stored URL that targets loopback when it is not allow-listed, and logs why", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx); // written straight to the database, past the save-time check
    await emit(m.id, 1);
    await relay([m.id], { policy: parsePolicy("", false) }).runUntilIdle();
    expect(rx.requests).toHaveLength(0);
    const [d] = await deliveriesOf(ep.id);
    expect(d).toMatchObject({ status: "PENDING", attempts: 1, lastError: "URL is refused: 127.0.0.1 is a private or reserved address" });
  });

  it("refuses a host name that resolves to loopback (localhost)", async () => {
    const m = await createMerchant();
    const rx = await receiver();
    const ep = await endpoint(m.id, rx, { url: rx.url.replace("127.0.0.1", "localhost") });
    await emit(m.id, 1);
    await relay([m.id], { policy: parsePolicy("", false) }).runUntilIdle();
    expect(rx.requests).toHaveLength(0);
    const [d] = await deliveriesOf(ep.id);
    expect(d!.lastError).toBe("URL is refused: localhost resolves to a private or reserved address"); // the address stays ours
  });
});
