// The relay's SQL, on the existing tables. Every statement is one round trip and its own transaction:
//   fanOut            outbox rows → webhook_deliveries (claim with SKIP LOCKED, insert, mark processed)
//   claimDeliveries   due deliveries → leased to this relay, at most N in flight per endpoint
//   recordAttempts    attempts' outcomes → webhook_attempts + the deliveries + the endpoints' failure runs
// plus the state changes merchants trigger (disable, enable, replay, test event), shared with the tRPC router.
import type pg from "pg";
import type { Decision } from "./schedule";
import { API_VERSION, TEST_EVENT_TYPE } from "./events";

/** A pool or a checked-out client: both run these statements. */
export type Queryable = Pick<pg.Pool, "query">;

export const OUTBOX_CHANNEL = "outbox";

/** The versioned envelope every event is sent in, built once when the delivery row is written. */
function envelopeSql(event: string): string {
  return `jsonb_build_object('id', ${event}.id, 'type', ${event}.type, 'api_version', '${API_VERSION}',
    'created_at', ${event}."createdAt", 'data', ${event}.payload)`;
}

/**
 * Claims up to `batchSize` unprocessed outbox rows (skipping rows another relay holds), writes one delivery per
 * subscribed, enabled endpoint of the event's merchant, and marks the rows processed — one statement, so a crash
 * either does all of it or none. Returns how many outbox rows were taken.
 */
export async function fanOut(
  db: Queryable,
  now: Date,
  batchSize: number,
  merchantIds: string[] | null = null,
): Promise<{ events: number; deliveries: number }> {
  const { rows } = await db.query<{ events: string; deliveries: string }>(
    `WITH batch AS (
       SELECT id, type, "merchantId", payload, "createdAt" FROM outbox_events
       WHERE "processedAt" IS NULL AND ($3::text[] IS NULL OR "merchantId" = ANY ($3))
       ORDER BY "createdAt" LIMIT $2 FOR UPDATE SKIP LOCKED
     ), fanned AS (
       INSERT INTO webhook_deliveries ("endpointId", "eventId", "eventType", payload, "nextAttemptAt", "updatedAt")
       SELECT e.id, b.id, b.type, ${envelopeSql("b")}, $1, $1
       FROM batch b JOIN webhook_endpoints e ON e."merchantId" = b."merchantId" AND e.enabled
         AND (coalesce(cardinality(e."eventTypes"), 0) = 0 OR b.type = ANY (e."eventTypes"))
       WHERE b.type <> '${TEST_EVENT_TYPE}'
       ON CONFLICT ("endpointId", "eventId") DO NOTHING
       RETURNING 1
     ), done AS (
       UPDATE outbox_events o SET "processedAt" = $1 FROM batch b WHERE o.id = b.id RETURNING 1
     )
     SELECT (SELECT count(*) FROM done) AS events, (SELECT count(*) FROM fanned) AS deliveries`,
    [now, batchSize, merchantIds],
  );
  return { events: Number(rows[0]!.events), deliveries: Number(rows[0]!.deliveries) };
}

export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  payload: unknown;
  /** Attempts made before this one: also the fence for recording (see recordAttempts). */
  attempts: number;
  url: string;
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  failingSince: Date | null;
}

/**
 * Leases due deliveries to the caller: their `nextAttemptAt` moves to now + lease, so if the caller dies the rows
 * become due again and another relay takes them. Per endpoint it takes at most `perEndpoint` minus what the caller
 * already has in flight there (`inFlight`), so a slow endpoint's backlog never fills the caller's slots; the scan
 * goes endpoint by endpoint (partial index on pending rows), so a huge backlog on one endpoint costs the others
 * nothing either.
 */
export async function claimDeliveries(
  db: Queryable,
  opts: {
    now: Date;
    leaseMs: number;
    limit: number;
    perEndpoint: number;
    inFlight: ReadonlyMap<string, number>;
    merchantIds?: string[] | null;
  },
): Promise<ClaimedDelivery[]> {
  if (opts.limit <= 0) return [];
  const busyIds = [...opts.inFlight.keys()];
  const busyCounts = busyIds.map((id) => opts.inFlight.get(id)!);
  const { rows } = await db.query<ClaimedDelivery>(
    `WITH claimed AS (
       SELECT d.id FROM webhook_endpoints e
       CROSS JOIN LATERAL (
         SELECT d.id FROM webhook_deliveries d
         WHERE d."endpointId" = e.id AND d.status = 'PENDING' AND d."nextAttemptAt" <= $1
         ORDER BY d."nextAttemptAt"
         LIMIT greatest(0, $4 - coalesce((SELECT n FROM unnest($5::text[], $6::int[]) AS busy(id, n) WHERE busy.id = e.id), 0))
         FOR UPDATE OF d SKIP LOCKED
       ) d
       WHERE e.enabled AND ($7::text[] IS NULL OR e."merchantId" = ANY ($7))
       LIMIT $3
     )
     UPDATE webhook_deliveries d SET "nextAttemptAt" = $1::timestamptz + $2 * interval '1 millisecond'
     FROM claimed c, webhook_endpoints e
     WHERE d.id = c.id AND e.id = d."endpointId"
     RETURNING d.id, d."endpointId", d."eventId", d.payload, d.attempts, e.url, e.secret, e."previousSecret",
       e."previousSecretUntil", e."failingSince"`,
    [opts.now, opts.leaseMs, opts.limit, opts.perEndpoint, busyIds, busyCounts, opts.merchantIds ?? null],
  );
  return rows;
}

export interface AttemptRecord {
  delivery: Pick<ClaimedDelivery, "id" | "endpointId" | "attempts">;
  decision: Decision;
  endpointOk: boolean;
  statusCode: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
  now: Date;
}

/**
 * Writes a batch of attempts — each one's log row, its delivery's new state and its endpoint's failure run — in one
 * statement (one commit for many deliveries: what lets a relay keep up with hundreds of deliveries a second).
 * A delivery update is fenced on (status PENDING, attempts unchanged): if this relay's lease expired and another
 * relay already recorded the attempt, or the endpoint was disabled meanwhile, the row is left alone — the attempt
 * is still logged, because it did happen. An endpoint row is written only when its failure run changes (the
 * batch's latest outcome for it decides), so a healthy endpoint's deliveries never contend on it; endpoint rows
 * are locked in id order, so two relays' batches cannot deadlock on them.
 */
export async function recordAttempts(db: Queryable, records: AttemptRecord[]): Promise<void> {
  if (records.length === 0) return;
  const column = <T>(pick: (r: AttemptRecord) => T) => records.map(pick);
  await db.query(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::int[],
         $8::text[], $9::timestamptz[], $10::boolean[], $11::text[])
         AS t(id, prev, status, next_at, code, error, latency, excerpt, at, ok, endpoint_id)
     ), upd AS (
       UPDATE webhook_deliveries d SET status = i.status::"DeliveryStatus", attempts = d.attempts + 1,
         "nextAttemptAt" = i.next_at, "lastStatusCode" = i.code, "lastError" = i.error,
         "deliveredAt" = CASE WHEN i.status = 'SUCCEEDED' THEN i.at END, "updatedAt" = i.at
       FROM input i
       WHERE d.id = i.id AND d.status = 'PENDING' AND d.attempts = i.prev
     ), logged AS (
       INSERT INTO webhook_attempts ("deliveryId", attempt, "statusCode", "latencyMs", "responseExcerpt", error, "createdAt")
       SELECT i.id, i.prev + 1, i.code, i.latency, i.excerpt, i.error, i.at FROM input i
       WHERE EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = i.id)
     ), latest AS (
       SELECT DISTINCT ON (endpoint_id) endpoint_id, ok, at FROM input ORDER BY endpoint_id, at DESC
     ), changing AS (
       SELECT l.* FROM latest l JOIN webhook_endpoints e ON e.id = l.endpoint_id
       WHERE (e."failingSince" IS NULL) = NOT l.ok
       ORDER BY l.endpoint_id FOR UPDATE OF e
     )
     UPDATE webhook_endpoints e SET "failingSince" = CASE WHEN c.ok THEN NULL ELSE c.at END, "updatedAt" = c.at
     FROM changing c WHERE e.id = c.endpoint_id`,
    [
      column((r) => r.delivery.id),
      column((r) => r.delivery.attempts),
      column((r) => r.decision.status),
      column((r) => (r.decision.status === "PENDING" ? r.decision.nextAttemptAt : null)),
      column((r) => r.statusCode),
      column((r) => r.error),
      column((r) => r.latencyMs),
      column((r) => r.excerpt),
      column((r) => r.now),
      column((r) => r.endpointOk),
      column((r) => r.delivery.endpointId),
    ],
  );
}

/** Lets go of leases this relay holds but will not finish (shutdown): they are due again at once. */
export async function releaseClaims(db: Queryable, claims: Array<Pick<ClaimedDelivery, "id" | "attempts">>, now: Date) {
  if (claims.length === 0) return;
  await db.query(
    `UPDATE webhook_deliveries d SET "nextAttemptAt" = $3
     FROM unnest($1::text[], $2::int[]) AS c(id, attempts)
     WHERE d.id = c.id AND d.attempts = c.attempts AND d.status = 'PENDING'`,
    [claims.map((c) => c.id), claims.map((c) => c.attempts), now],
  );
}

/**
 * Disables an endpoint (410 Gone, a day of failures, or the merchant) and fails its pending deliveries with the
 * reason, so nothing keeps retrying against it. Returns false when it was already disabled.
 */
export async function disableEndpoint(db: Queryable, endpointId: string, reason: string, now: Date): Promise<boolean> {
  const { rows } = await db.query<{ disabled: boolean }>(
    `WITH ep AS (
       UPDATE webhook_endpoints SET enabled = false, "disabledReason" = $2, "disabledAt" = $3, "updatedAt" = $3
       WHERE id = $1 AND enabled RETURNING id
     ), failed AS (
       UPDATE webhook_deliveries SET status = 'FAILED', "nextAttemptAt" = NULL, "lastError" = 'endpoint disabled: ' || $2,
         "updatedAt" = $3
       WHERE "endpointId" = (SELECT id FROM ep) AND status = 'PENDING'
     )
     SELECT EXISTS (SELECT 1 FROM ep) AS disabled`,
    [endpointId, reason, now],
  );
  return rows[0]!.disabled;
}

/**
 * Re-enables an endpoint and clears its failure state. With `replayFailed`, the deliveries that failed during the
 * outage (since its failure run began, or since it was disabled) are queued again. Returns how many.
 */
export async function enableEndpoint(db: Queryable, endpointId: string, replayFailed: boolean, now: Date): Promise<number> {
  const { rows } = await db.query<{ replayed: string }>(
    `WITH before AS (
       SELECT id, coalesce("failingSince", "disabledAt") AS since FROM webhook_endpoints WHERE id = $1 FOR UPDATE
     ), ep AS (
       UPDATE webhook_endpoints SET enabled = true, "disabledReason" = NULL, "disabledAt" = NULL, "failingSince" = NULL,
         "updatedAt" = $3
       WHERE id = $1
     ), replayed AS (
       UPDATE webhook_deliveries d SET status = 'PENDING', "nextAttemptAt" = $3, "updatedAt" = $3
       FROM before b
       WHERE $2 AND d."endpointId" = b.id AND d.status = 'FAILED' AND b.since IS NOT NULL AND d."updatedAt" >= b.since
       RETURNING 1
     )
     SELECT count(*) AS replayed FROM replayed`,
    [endpointId, replayFailed, now],
  );
  return Number(rows[0]!.replayed);
}

/**
 * Queues a delivery again now. A delivery that had used up its retries gets one more attempt (and a manual replay
 * after that); one still retrying just skips its wait.
 */
export async function replayDelivery(db: Queryable, deliveryId: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET status = 'PENDING', "nextAttemptAt" = $2, "deliveredAt" = NULL, "updatedAt" = $2
     WHERE id = $1`,
    [deliveryId, now],
  );
}

/**
 * A `webhook.test` event for ONE endpoint: the outbox row is born processed (fan-out never sees it) and its single
 * delivery is written with it, so the merchant's other endpoints get nothing. Returns the event id.
 */
export async function createTestEvent(db: Queryable, merchantId: string, endpointId: string, now: Date): Promise<string> {
  const data = { message: "This is a test event from the affiliate platform.", endpoint_id: endpointId };
  const { rows } = await db.query<{ id: string }>(
    `WITH evt AS (
       INSERT INTO outbox_events (type, "merchantId", payload, "createdAt", "processedAt")
       VALUES ('${TEST_EVENT_TYPE}', $1, $3, $4, $4) RETURNING *
     )
     INSERT INTO webhook_deliveries ("endpointId", "eventId", "eventType", payload, "nextAttemptAt", "updatedAt")
     SELECT $2, evt.id, evt.type, ${envelopeSql("evt")}, $4, $4 FROM evt
     RETURNING "eventId" AS id`,
    [merchantId, endpointId, data, now],
  );
  await wakeRelays(db);
  return rows[0]!.id;
}

/** Tells every listening relay there is work (NOTIFY is delivered on commit; each statement here is its own). */
export async function wakeRelays(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
}
