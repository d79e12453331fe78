// The merchant's webhook API through tRPC (same procedures and context as an HTTP call), on the real database.
import { TRPCError } from "@trpc/server";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "../db";
import { resetEnvForTests } from "../env";
import { callerFor, createMerchant, createMerchantUser } from "../testing/fixtures";
import { type RelayOptions, WebhookRelay } from "./relay";
import { openSecret } from "./secret-box";
import { type Receiver, startReceiver } from "./test-receiver";

let receiver: Receiver;
beforeAll(async () => {
  // Local receivers are allowed the way the e2e server allows them; everything else keeps the SSRF rules.
  process.env.WEBHOOK_ALLOWED_HOSTS = "127.0.0.1";
  resetEnvForTests();
  receiver = await startReceiver();
});
afterEach(() => expect(receiver.rejected, "requests whose signature did not verify").toEqual([]));
afterAll(() => receiver.close());

async function merchantApi() {
  const merchant = await createMerchant();
  const user = await createMerchantUser(merchant.id);
  const api = callerFor(user);
  /** Creates an endpoint whose secret the shared receiver verifies with. */
  const createEndpoint = async (input: Parameters<typeof api.webhooks.create>[0]) => {
    const created = await api.webhooks.create(input);
    receiver.secrets.push(created.secret);
    return created;
  };
  return { merchant, user, api, createEndpoint };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

async function deliverFor(merchantId: string, options: RelayOptions = {}) {
  const relay = new WebhookRelay({ merchantIds: [merchantId], log: () => {}, ...options });
  await relay.runUntilIdle();
  await relay.stop();
}

const ids = (requests: Receiver["requests"]) => requests.map((r) => r.headers["webhook-id"]);

describe("endpoints", () => {
  it("creates an endpoint and shows its whsec_ secret once: never in the list or the audit log", async () => {
    const { merchant, api, createEndpoint } = await merchantApi();
    const created = await createEndpoint({ url: receiver.url, description: "orders", eventTypes: ["conversion.created", "conversion.created"] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(() => new Webhook(created.secret)).not.toThrow();
    expect(created.endpoint).toMatchObject({ url: receiver.url, description: "orders", eventTypes: ["conversion.created"], enabled: true });

    const list = await api.webhooks.endpoints();
    expect(list).toHaveLength(1);
    expect(list[0]!.secretHint).toBe(created.secret.slice(0, 10) + "…");
    const audits = await db.auditLog.findMany({ where: { entityId: created.endpoint.id } });
    expect(audits.map((a) => a.action)).toEqual(["webhook.endpoint.create"]);
    expect(JSON.stringify([list, audits, created.endpoint])).not.toContain(created.secret.slice(6));
    // Stored encrypted, bound to the endpoint: only the server's key opens it.
    const stored = (await db.webhookEndpoint.findFirstOrThrow({ where: { merchantId: merchant.id } })).secret;
    expect(stored).toMatch(/^wsk1\.[0-9a-f]{8}\./);
    expect(stored).not.toContain(created.secret.slice(6));
    expect(openSecret(stored, created.endpoint.id)).toBe(created.secret);
  });

  it.each([
    ["http://hooks.nowhere.invalid/", /URL is refused: hooks\.nowhere\.invalid does not resolve/],
    ["http://10.0.0.5/hook", /URL is refused: 10\.0\.0\.5 is a private or reserved address/],
    ["http://169.254.169.254/latest/meta-data/", /URL is refused: 169\.254\.169\.254 is a private or reserved address/],
    ["http://[::1]/hook", /URL is refused: ::1 is a private or reserved address/],
    ["http://127.0.0.2:8080/hook", /URL is refused: 127\.0\.0\.2 is a private or reserved address/], // only 127.0.0.1 is allow-listed here
    ["ftp://files.example/", /URL must be an http\(s\) URL/],
  ])("refuses %s with a clear message and writes nothing", async (url, message) => {
    const { merchant, api } = await merchantApi();
    const error = await refusal(api.webhooks.create({ url, eventTypes: [] }));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(message);
    expect(await db.webhookEndpoint.count({ where: { merchantId: merchant.id } })).toBe(0);
  });

  it("refuses unknown event types and an empty URL as input errors", async () => {
    const { merchant, api } = await merchantApi();
    expect((await refusal(api.webhooks.create({ url: receiver.url, eventTypes: ["conversion.exploded" as never] }))).code).toBe("BAD_REQUEST");
    expect((await refusal(api.webhooks.create({ url: "  ", eventTypes: [] }))).message).toContain("Enter the URL");
    expect(await db.webhookEndpoint.count({ where: { merchantId: merchant.id } })).toBe(0);
  });

  it("edits an endpoint (re-vetting a changed URL) and refuses another merchant's", async () => {
    const { api, createEndpoint } = await merchantApi();
    const other = await merchantApi();
    const { endpoint } = await createEndpoint({ url: receiver.url, eventTypes: [] });
    const edited = await api.webhooks.update({ id: endpoint.id, url: receiver.url, description: "all events", eventTypes: ["fraud.flagged"] });
    expect(edited).toMatchObject({ description: "all events", eventTypes: ["fraud.flagged"] });
    expect((await refusal(api.webhooks.update({ id: endpoint.id, url: "http://10.0.0.5/", eventTypes: [] }))).message).toMatch(/private/);
    expect((await refusal(other.api.webhooks.update({ id: endpoint.id, url: receiver.url, eventTypes: [] }))).code).toBe("FORBIDDEN");
    expect((await refusal(other.api.webhooks.rotateSecret({ id: endpoint.id }))).code).toBe("FORBIDDEN");
    expect((await refusal(other.api.webhooks.deliveries({ endpointId: endpoint.id }))).code).toBe("FORBIDDEN");
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).url).toBe(receiver.url);
  });

  it("rotates the secret: the new one is shown once and the old one keeps signing for 24 hours", async () => {
    const { merchant, api, createEndpoint } = await merchantApi();
    const { endpoint, secret: first } = await createEndpoint({ url: receiver.url, eventTypes: [] });
    const rotated = await api.webhooks.rotateSecret({ id: endpoint.id });
    expect(rotated.secret).not.toBe(first);
    expect(rotated.previousSecretValidUntil!.getTime() - Date.now()).toBeGreaterThan(23.9 * 3600e3);
    const row = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect([openSecret(row.secret, endpoint.id), openSecret(row.previousSecret!, endpoint.id)]).toEqual([rotated.secret, first]);
    const [listed] = await api.webhooks.endpoints();
    expect(listed!.previousSecretValidUntil).toEqual(rotated.previousSecretValidUntil);

    // The receiver still knows only the first secret: a delivery verifies with it (second signature)…
    const onlyFirst = await startReceiver({ secrets: [first] });
    try {
      await api.webhooks.update({ id: endpoint.id, url: onlyFirst.url, eventTypes: [] });
      await api.webhooks.sendTest({ id: endpoint.id });
      await deliverFor(merchant.id);
      expect(onlyFirst.requests.map((r) => r.verified)).toEqual([true]);
      // …until a second rotation inside the window retires it (the page warns before): then it verifies nothing.
      await api.webhooks.rotateSecret({ id: endpoint.id });
      await api.webhooks.sendTest({ id: endpoint.id });
      await deliverFor(merchant.id);
      expect(onlyFirst.requests.map((r) => r.verified)).toEqual([true, false]);
    } finally {
      await onlyFirst.close();
    }
  });
});

describe("test events, the delivery log and replays", () => {
  it("sends a test event to that endpoint only, logs the attempt, and a replay appends a new attempt", async () => {
    const { merchant, api, createEndpoint } = await merchantApi();
    const { endpoint } = await createEndpoint({ url: receiver.url, eventTypes: ["commission.created"] });
    const { endpoint: sibling } = await createEndpoint({ url: receiver.url, eventTypes: [] });
    const before = receiver.requests.length;

    const { eventId } = await api.webhooks.sendTest({ id: endpoint.id });
    expect(await db.webhookDelivery.count({ where: { eventId } })).toBe(1);
    expect(await db.webhookDelivery.count({ where: { endpointId: sibling.id } })).toBe(0);
    await deliverFor(merchant.id);
    const got = receiver.requests.slice(before);
    expect(got.map((r) => r.headers["webhook-id"])).toEqual([eventId]);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ id: eventId, type: "webhook.test", data: { endpoint_id: endpoint.id } });

    let log = await api.webhooks.deliveries({ endpointId: endpoint.id });
    expect(log.items).toHaveLength(1);
    expect(log.items[0]).toMatchObject({ eventId, eventType: "webhook.test", status: "SUCCEEDED", attempts: 1, nextAttemptAt: null });
    expect(log.items[0]!.attemptLog).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200, responseExcerpt: "ok" })]);

    await api.webhooks.replay({ deliveryId: log.items[0]!.id });
    expect((await api.webhooks.deliveries({ endpointId: endpoint.id })).items[0]).toMatchObject({ status: "PENDING" });
    await deliverFor(merchant.id);
    log = await api.webhooks.deliveries({ endpointId: endpoint.id });
    expect(log.items[0]).toMatchObject({ status: "SUCCEEDED", attempts: 2 });
    expect(log.items[0]!.attemptLog.map((a) => a.attempt)).toEqual([1, 2]);
    expect(receiver.requests.slice(before).map((r) => r.headers["webhook-id"])).toEqual([eventId, eventId]);
  });

  it("pages through the log newest first without repeats", async () => {
    const { api, createEndpoint } = await merchantApi();
    const { endpoint } = await createEndpoint({ url: receiver.url, eventTypes: [] });
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await api.webhooks.sendTest({ id: endpoint.id })).eventId);
    const seen: string[] = [];
    let cursor: { createdAt: Date; id: string } | null = null;
    do {
      const page: Awaited<ReturnType<typeof api.webhooks.deliveries>> = await api.webhooks.deliveries({ endpointId: endpoint.id, limit: 2, cursor });
      seen.push(...page.items.map((d) => d.eventId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...sent].reverse());
  });

  it("refuses to replay a delivery while a relay is sending it, and says until when", async () => {
    const { merchant, api, createEndpoint } = await merchantApi();
    let answering = false;
    const slow = await startReceiver({ reply: () => (answering ? { status: 200 } : "hang") });
    const relay = new WebhookRelay({ merchantIds: [merchant.id], log: () => {}, timeoutMs: 60_000 });
    try {
      const { endpoint, secret } = await createEndpoint({ url: slow.url, eventTypes: [] });
      slow.secrets.push(secret);
      const { eventId } = await api.webhooks.sendTest({ id: endpoint.id });
      await relay.start();
      await slow.waitFor(1);
      const [sending] = (await api.webhooks.deliveries({ endpointId: endpoint.id })).items;
      expect(sending).toMatchObject({ eventId, status: "PENDING", sending: true, nextAttemptAt: null });
      const before = await db.webhookDelivery.findUniqueOrThrow({ where: { id: sending!.id } });

      const error = await refusal(api.webhooks.replay({ deliveryId: sending!.id }));
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toMatch(/^This delivery is being sent right now; replay it once this attempt shows in the log \(by \d\d:\d\d:\d\d UTC at the latest\)\.$/);
      expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: sending!.id } })).toEqual(before);

      await relay.stop(100); // lets go of the lease: now it can be replayed
      answering = true;
      await api.webhooks.replay({ deliveryId: sending!.id });
      await deliverFor(merchant.id);
      expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: sending!.id } })).toMatchObject({ status: "SUCCEEDED", attempts: 1 });
      expect(slow.rejected).toEqual([]);
    } finally {
      await relay.stop(100);
      await slow.close();
    }
  });

  it("re-enabling with replay sends what failed during the outage and every subscribed event that arrived while disabled", async () => {
    const { merchant, api, createEndpoint } = await merchantApi();
    const { endpoint } = await createEndpoint({ url: receiver.url, eventTypes: ["conversion.created"] });
    const emit = async (type = "conversion.created") => (await db.outboxEvent.create({ data: { merchantId: merchant.id, type, payload: { type } } })).id;
    const before = receiver.requests.length;
    const sent = () => ids(receiver.requests.slice(before));

    const delivered = await emit();
    await deliverFor(merchant.id);
    const pending = await api.webhooks.sendTest({ id: endpoint.id }); // queued, then failed by the disable
    await api.webhooks.disable({ id: endpoint.id });
    const failed = await db.webhookDelivery.findFirstOrThrow({ where: { eventId: pending.eventId } });
    expect(failed).toMatchObject({ status: "FAILED", lastError: "endpoint disabled: Disabled by the merchant." });
    const [listed] = await api.webhooks.endpoints();
    expect(listed).toMatchObject({ enabled: false, disabledReason: "Disabled by the merchant." });

    const missed = [await emit(), await emit()];
    const notSubscribed = await emit("commission.created");
    await deliverFor(merchant.id); // fanned out while disabled: nothing for this endpoint
    const notYetFannedOut = await emit();
    expect(await db.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(2);

    expect((await refusal(api.webhooks.sendTest({ id: endpoint.id }))).code).toBe("PRECONDITION_FAILED");
    expect((await refusal(api.webhooks.replay({ deliveryId: failed.id }))).message).toBe("Re-enable the endpoint before replaying its deliveries.");

    expect(await api.webhooks.replayPreview({ id: endpoint.id })).toEqual({ failed: 1, missed: 3, cap: 10_000 });
    expect(await api.webhooks.enable({ id: endpoint.id, replayFailed: true })).toEqual({ replayed: 4 });
    const [again] = await api.webhooks.endpoints();
    expect(again).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
    expect((await refusal(api.webhooks.replayPreview({ id: endpoint.id }))).code).toBe("PRECONDITION_FAILED");

    await deliverFor(merchant.id);
    expect(sent().sort()).toEqual([delivered, pending.eventId, ...missed, notYetFannedOut].sort()); // each once
    expect(sent()).not.toContain(notSubscribed);
    expect(await db.webhookDelivery.findUniqueOrThrow({ where: { id: failed.id } })).toMatchObject({ status: "SUCCEEDED" });
  });

  it("re-enabling without replay sends only what arrives from then on", async () => {
    const { merchant, api, createEndpoint } = await merchantApi();
    const { endpoint } = await createEndpoint({ url: receiver.url, eventTypes: [] });
    const emit = async () => (await db.outboxEvent.create({ data: { merchantId: merchant.id, type: "conversion.created", payload: {} } })).id;
    const before = receiver.requests.length;
    await api.webhooks.disable({ id: endpoint.id });
    await emit();
    await deliverFor(merchant.id);
    expect(await api.webhooks.enable({ id: endpoint.id })).toEqual({ replayed: 0 });
    const after = await emit();
    await deliverFor(merchant.id);
    expect(ids(receiver.requests.slice(before))).toEqual([after]);
  });
});
