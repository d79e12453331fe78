// What a merchant does with their webhook endpoints (the tRPC router is a thin layer over this). Every function
// takes the caller's merchantId from the session and only touches that merchant's rows; another merchant's id is
// refused exactly like a missing one. Secrets leave the server once — in the answer to create and rotate — are
// stored encrypted (secret-box.ts) and are never written to the audit log.
import { randomUUID } from "node:crypto";
import { DomainError, requireOwned } from "../errors";
import { type Db, getPool, type Prisma } from "../db";
import { MAX_ATTEMPTS } from "./schedule";
import { openSecret, resealOrNull, sealSecret, UnreadableSecretError } from "./secret-box";
import { generateSecret, ROTATION_WINDOW_MS, secretHint } from "./signing";
import { BlockedTargetError, policyFromEnv, vetUrl } from "./ssrf";
import {
  createTestEvent,
  disableEndpoint,
  enableEndpoint,
  REPLAY_COUNT_CAP,
  replayDelivery,
  replayPreview as previewReplay,
} from "./store";
import { wakeRelays } from "./wake";

export interface Actor {
  merchantId: string;
  userId: string;
}

export interface EndpointInput {
  url: string;
  description: string;
  eventTypes: string[];
}

/** Vets a URL for saving: SSRF rules with a fresh DNS lookup. Refusals become a form error. */
async function vetForSave(url: string): Promise<string> {
  try {
    return (await vetUrl(url, policyFromEnv())).href;
  } catch (error) {
    if (error instanceof BlockedTargetError) throw new DomainError("invalid", error.message);
    throw error;
  }
}

async function ownedEndpoint(db: Db, actor: Actor, id: string) {
  return requireOwned(await db.webhookEndpoint.findFirst({ where: { id, merchantId: actor.merchantId } }), "webhook endpoint");
}

function requireEnabled(endpoint: { enabled: boolean }, doing: string) {
  if (!endpoint.enabled) throw new DomainError("precondition_failed", `Re-enable the endpoint before ${doing}.`);
}

function audit(db: Db, actor: Actor, action: string, entityId: string, data: Prisma.InputJsonObject = {}) {
  return db.auditLog.create({ data: { actorId: actor.userId, action: `webhook.${action}`, entityType: "webhook_endpoint", entityId, data } });
}

/** What the UI shows of an endpoint: never the secret, only its first characters. */
function present<T extends { id: string; secret: string; previousSecret: string | null; previousSecretUntil: Date | null }>(endpoint: T, now = new Date()) {
  const { secret, previousSecret, previousSecretUntil, ...rest } = endpoint;
  const rotating = previousSecret !== null && previousSecretUntil !== null && previousSecretUntil > now;
  return { ...rest, secretHint: hint(secret, endpoint.id), previousSecretValidUntil: rotating ? previousSecretUntil : null };
}

function hint(sealed: string, endpointId: string): string {
  try {
    return secretHint(openSecret(sealed, endpointId));
  } catch (error) {
    if (error instanceof UnreadableSecretError) return "unreadable (rotate it)";
    throw error;
  }
}

export async function listEndpoints(db: Db, merchantId: string) {
  const since = new Date(Date.now() - 24 * 3600e3);
  const [endpoints, counts] = await Promise.all([
    db.webhookEndpoint.findMany({ where: { merchantId }, orderBy: { createdAt: "asc" } }),
    db.webhookDelivery.groupBy({
      by: ["endpointId", "status"],
      where: { endpoint: { merchantId }, createdAt: { gte: since } },
      _count: { _all: true },
    }),
  ]);
  return endpoints.map((endpoint) => {
    const stat = (status: string) => counts.find((c) => c.endpointId === endpoint.id && c.status === status)?._count._all ?? 0;
    return { ...present(endpoint), last24h: { succeeded: stat("SUCCEEDED"), pending: stat("PENDING"), failed: stat("FAILED") } };
  });
}

/** Creates an endpoint; the answer carries its signing secret, the only time it is shown. */
export async function createEndpoint(db: Db, actor: Actor, input: EndpointInput) {
  const url = await vetForSave(input.url);
  const secret = generateSecret();
  const id = randomUUID(); // known before the insert: the sealed secret is bound to it
  const endpoint = await db.webhookEndpoint.create({
    data: { id, merchantId: actor.merchantId, url, description: input.description, eventTypes: input.eventTypes, secret: sealSecret(secret, id) },
  });
  await audit(db, actor, "endpoint.create", endpoint.id, { url, eventTypes: input.eventTypes });
  return { endpoint: present(endpoint), secret };
}

export async function updateEndpoint(db: Db, actor: Actor, id: string, input: EndpointInput) {
  const current = await ownedEndpoint(db, actor, id);
  const url = input.url === current.url ? current.url : await vetForSave(input.url);
  const endpoint = await db.webhookEndpoint.update({
    where: { id },
    data: { url, description: input.description, eventTypes: input.eventTypes },
  });
  await audit(db, actor, "endpoint.update", id, { url, description: input.description, eventTypes: input.eventTypes });
  return present(endpoint);
}

/** Stops deliveries to the endpoint; what was still pending is failed (replayable after re-enabling). */
export async function disable(db: Db, actor: Actor, id: string) {
  await ownedEndpoint(db, actor, id);
  await disableEndpoint(getPool(), id, "Disabled by the merchant.", new Date());
  await audit(db, actor, "endpoint.disable", id);
  return { ok: true as const };
}

/**
 * What "re-enable and replay" would send: the deliveries that failed during the outage and the events that arrived
 * while the endpoint was disabled (each counted up to REPLAY_COUNT_CAP).
 */
export async function replayPreview(db: Db, actor: Actor, id: string) {
  await ownedEndpoint(db, actor, id);
  const preview = await previewReplay(getPool(), id);
  if (!preview) throw new DomainError("precondition_failed", "The endpoint is enabled: there is nothing to replay.");
  return { ...preview, cap: REPLAY_COUNT_CAP };
}

/**
 * Re-enables the endpoint and clears its failure state; with `replayFailed`, the deliveries that failed during
 * the outage are queued again and the events that arrived while it was disabled are delivered.
 */
export async function enable(db: Db, actor: Actor, id: string, replayFailed: boolean) {
  await ownedEndpoint(db, actor, id);
  const replayed = await enableEndpoint(getPool(), id, replayFailed, new Date());
  await audit(db, actor, "endpoint.enable", id, { replayed });
  if (replayed > 0) await wakeRelays(getPool());
  return { replayed };
}

/**
 * A new secret, shown once. The one it replaces keeps signing (second signature) for the rotation window, so the
 * merchant can update their receiver without missing a delivery. Only one previous secret signs: rotating again
 * inside the window stops the older one at once (the page warns before).
 */
export async function rotateSecret(db: Db, actor: Actor, id: string) {
  const current = await ownedEndpoint(db, actor, id);
  const secret = generateSecret();
  const previousSecret = resealOrNull(current.secret, id); // null: no key opens it, so it could not sign anyway
  const previousSecretUntil = previousSecret ? new Date(Date.now() + ROTATION_WINDOW_MS) : null;
  await db.webhookEndpoint.update({ where: { id }, data: { secret: sealSecret(secret, id), previousSecret, previousSecretUntil } });
  await audit(db, actor, "endpoint.rotate_secret", id, { previousSecretUntil });
  return { secret, previousSecretValidUntil: previousSecretUntil };
}

/** Sends a `webhook.test` event to this endpoint only. */
export async function sendTestEvent(db: Db, actor: Actor, id: string) {
  requireEnabled(await ownedEndpoint(db, actor, id), "sending a test event");
  const eventId = await createTestEvent(getPool(), actor.merchantId, id, new Date());
  return { eventId };
}

export interface DeliveryPageInput {
  endpointId: string;
  status?: "PENDING" | "SUCCEEDED" | "FAILED";
  limit: number;
  /** The last row of the previous page (keyset pagination: stable while new deliveries arrive). */
  cursor?: { createdAt: Date; id: string };
}

/** The delivery log of one endpoint, newest first, each delivery with its attempts. */
export async function listDeliveries(db: Db, actor: Actor, input: DeliveryPageInput) {
  await ownedEndpoint(db, actor, input.endpointId);
  const { cursor } = input;
  const rows = await db.webhookDelivery.findMany({
    where: {
      endpointId: input.endpointId,
      status: input.status,
      ...(cursor && {
        OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }],
      }),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    select: {
      id: true,
      eventId: true,
      eventType: true,
      status: true,
      attempts: true,
      nextAttemptAt: true,
      leasedUntil: true,
      lastStatusCode: true,
      lastError: true,
      deliveredAt: true,
      createdAt: true,
      attemptLog: {
        orderBy: { attempt: "asc" },
        select: { id: true, attempt: true, statusCode: true, latencyMs: true, responseExcerpt: true, error: true, createdAt: true },
      },
    },
  });
  const items = rows.slice(0, input.limit);
  const last = items.at(-1);
  const now = new Date();
  return {
    items: items.map(({ leasedUntil, ...d }) => {
      const sending = d.status === "PENDING" && leasedUntil !== null && leasedUntil > now;
      return { ...d, sending, nextAttemptAt: d.status === "PENDING" && !sending ? d.nextAttemptAt : null };
    }),
    maxAttempts: MAX_ATTEMPTS,
    nextCursor: rows.length > input.limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

/** Queues one delivery again now; its new attempts are appended to the log. */
export async function replay(db: Db, actor: Actor, deliveryId: string) {
  const delivery = requireOwned(
    await db.webhookDelivery.findFirst({
      where: { id: deliveryId, endpoint: { merchantId: actor.merchantId } },
      include: { endpoint: { select: { enabled: true } } },
    }),
    "delivery",
  );
  requireEnabled(delivery.endpoint, "replaying its deliveries");
  const outcome = await replayDelivery(getPool(), deliveryId, new Date());
  if (outcome.status === "in_flight") {
    const until = outcome.leasedUntil.toISOString().slice(11, 19);
    throw new DomainError(
      "conflict",
      `This delivery is being sent right now; replay it once this attempt shows in the log (by ${until} UTC at the latest).`,
    );
  }
  if (outcome.status === "missing") requireOwned(null, "delivery");
  await wakeRelays(getPool());
  await audit(db, actor, "delivery.replay", delivery.endpointId, { deliveryId, eventId: delivery.eventId });
  return { ok: true as const };
}
