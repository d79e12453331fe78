// The relay's SQL, on the existing tables. Every statement is one round trip and its own transaction:
//   fanOut            outbox rows → webhook_deliveries (claim with SKIP LOCKED, insert, mark processed)
//   claimDeliveries   due deliveries → leased to this relay, at most N in flight per endpoint over all relays
//   recordAttempts    attempts' outcomes → webhook_attempts + the deliveries + the endpoints' failure runs
//   pruneFinished     retention: finished deliveries (their attempts cascade) and processed outbox rows past an age
// plus the state changes merchants trigger (disable, enable, replay, test event), shared with the tRPC router.
import type pg from "pg";
import { API_VERSION, TEST_EVENT_TYPE } from "./events";
import type { Decision } from "./schedule";
import { currentKeyPattern, type Keyring, keyringFromEnv, resealOrNull } from "./secret-box";
import { WAKE_RELAYS_SQL } from "./wake";

/** A pool or a checked-out client: both run these statements. */
export type Queryable = Pick<pg.Pool, "query">;

/** The versioned envelope every event is sent in, built once when the delivery row is written. */
function envelopeSql(event: string): string {
  return `jsonb_build_object('id', ${event}.id, 'type', ${event}.type, 'api_version', '${API_VERSION}',
    'created_at', ${event}."createdAt", 'data', ${event}.payload)`;
}

/** Whether endpoint row `e` takes outbox row `o`: its merchant's, a type it subscribes to (none listed: all). */
function subscribedSql(e: string, o: string): string {
  return `${o}."merchantId" = ${e}."merchantId" AND ${o}.type <> '${TEST_EVENT_TYPE}'
    AND (coalesce(cardinality(${e}."eventTypes"), 0) = 0 OR ${o}.type = ANY (${e}."eventTypes"))`;
}

/**
 * Outbox rows `o` endpoint `e` missed while it was disabled: subscribed, fanned out at or after `since` (or not yet —
 * a fan-out may be running) and without a delivery to it. A minute of margin absorbs clock differences between the
 * server that disabled the endpoint and the relay that stamped `processedAt`; rows from that minute that were
 * delivered have their delivery and are not taken again.
 */
function missedSql(e: string, o: string, since: string): string {
  return `${subscribedSql(e, o)}
    AND (${o}."processedAt" IS NULL OR ${o}."processedAt" >= ${since} - interval '1 minute')
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries x WHERE x."endpointId" = ${e}.id AND x."eventId" = ${o}.id)`;
}

/** Deliveries `d` of endpoint `e` that failed during its outage: since its failure run began, or it was disabled. */
function failedInOutageSql(e: string, d: string): string {
  return `${d}."endpointId" = ${e}.id AND ${d}.status = 'FAILED' AND ${d}."updatedAt" >= coalesce(${e}."failingSince", ${e}."disabledAt")`;
}

/**
 * Claims up to `batchSize` unprocessed outbox rows (skipping rows another relay holds), writes one delivery per
 * subscribed, enabled endpoint of the event's merchant, and marks the rows processed — one statement, so a crash
 * either does all of it or none. Disabled endpoints get nothing here; re-enabling one with replay catches up.
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
       FROM batch b JOIN webhook_endpoints e ON e.enabled AND ${subscribedSql("e", "b")}
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
  /** Sealed (secret-box.ts); opened just before signing. */
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
  failingSince: Date | null;
}

/**
 * Leases due deliveries to the caller: `leasedUntil` and `nextAttemptAt` move to now + lease, so if the caller dies
 * the rows become due again and another relay takes them. The scan goes endpoint by endpoint over the partial index
 * of pending rows, so a huge backlog on one endpoint costs the others nothing.
 *
 * The per-endpoint cap holds over ALL relays: it counts the endpoint's live leases, whoever holds them (a partial
 * index holds only leased rows), minus the caller's `unrecorded` ones — answered requests whose outcome is still
 * being written, which hold no socket. So N relays together keep at most `perEndpoint` requests open to a slow
 * endpoint, not N × perEndpoint. (The count runs only for endpoints with something due: the `due` probe first.)
 * Two relays never fill one endpoint's slots at the same time: the claim locks the endpoint row (FOR NO KEY
 * UPDATE, which fan-out's foreign-key checks do not wait for) and a relay that finds it locked skips that endpoint
 * until its next pass. What remains: a claim that commits after another relay's statement took its snapshot, but
 * before that statement reaches the endpoint, is not counted by it — the cap is then exceeded by at most that
 * claim until its requests finish. A crashed relay's leases keep counting until they expire.
 */
export async function claimDeliveries(
  db: Queryable,
  opts: {
    now: Date;
    leaseMs: number;
    limit: number;
    perEndpoint: number;
    unrecorded: ReadonlyMap<string, number>;
    merchantIds?: string[] | null;
  },
): Promise<ClaimedDelivery[]> {
  if (opts.limit <= 0) return [];
  const mineIds = [...opts.unrecorded.keys()];
  const mineCounts = mineIds.map((id) => opts.unrecorded.get(id)!);
  const { rows } = await db.query<ClaimedDelivery>(
    `WITH claimed AS (
       SELECT d.id FROM webhook_endpoints e
       CROSS JOIN LATERAL (
         SELECT 1 FROM webhook_deliveries p WHERE p."endpointId" = e.id AND p.status = 'PENDING' AND p."nextAttemptAt" <= $1 LIMIT 1
       ) due
       CROSS JOIN LATERAL (
         SELECT d.id FROM webhook_deliveries d
         WHERE d."endpointId" = e.id AND d.status = 'PENDING' AND d."nextAttemptAt" <= $1
         ORDER BY d."nextAttemptAt"
         LIMIT greatest(0, $4
           - (SELECT count(*) FROM webhook_deliveries l WHERE l."endpointId" = e.id AND l."leasedUntil" > $1)
           + coalesce((SELECT n FROM unnest($5::text[], $6::int[]) AS mine(id, n) WHERE mine.id = e.id), 0))
         FOR UPDATE OF d SKIP LOCKED
       ) d
       WHERE e.enabled AND ($7::text[] IS NULL OR e."merchantId" = ANY ($7))
       LIMIT $3
       FOR NO KEY UPDATE OF e SKIP LOCKED
     )
     UPDATE webhook_deliveries d SET "nextAttemptAt" = $1::timestamptz + $2 * interval '1 millisecond',
       "leasedUntil" = $1::timestamptz + $2 * interval '1 millisecond'
     FROM claimed c, webhook_endpoints e
     WHERE d.id = c.id AND e.id = d."endpointId"
     RETURNING d.id, d."endpointId", d."eventId", d.payload, d.attempts, e.url, e.secret, e."previousSecret",
       e."previousSecretUntil", e."failingSince"`,
    [opts.now, opts.leaseMs, opts.limit, opts.perEndpoint, mineIds, mineCounts, opts.merchantIds ?? null],
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
 * relay already recorded the attempt, or the endpoint was disabled meanwhile, the row is left alone. The attempt is
 * still logged under its number unless another relay's attempt already has it (unique per delivery): then that one
 * is the log's. An endpoint row is written only when its failure run changes (the batch's latest outcome for it
 * decides), so a healthy endpoint's deliveries never contend on it; endpoint rows are locked in id order, so two
 * relays' batches cannot deadlock on them.
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
         "nextAttemptAt" = i.next_at, "leasedUntil" = NULL, "lastStatusCode" = i.code, "lastError" = i.error,
         "deliveredAt" = CASE WHEN i.status = 'SUCCEEDED' THEN i.at END, "updatedAt" = i.at
       FROM input i
       WHERE d.id = i.id AND d.status = 'PENDING' AND d.attempts = i.prev
     ), logged AS (
       INSERT INTO webhook_attempts ("deliveryId", attempt, "statusCode", "latencyMs", "responseExcerpt", error, "createdAt")
       SELECT i.id, i.prev + 1, i.code, i.latency, i.excerpt, i.error, i.at FROM input i
       WHERE EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = i.id)
       ON CONFLICT ("deliveryId", attempt) DO NOTHING
     ), latest AS (
       SELECT DISTINCT ON (endpoint_id) endpoint_id, ok, at FROM input ORDER BY endpoint_id, at DESC
     ), changing AS (
       SELECT l.* FROM latest l JOIN webhook_endpoints e ON e.id = l.endpoint_id
       WHERE (e."failingSince" IS NULL) = NOT l.ok
       ORDER BY l.endpoint_id FOR NO KEY UPDATE OF e
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
    `UPDATE webhook_deliveries d SET "nextAttemptAt" = $3, "leasedUntil" = NULL
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

/** Counted up to this many of each kind (the page says "10,000+"). */
export const REPLAY_COUNT_CAP = 10_000;

/**
 * What "re-enable and replay" would send for a disabled endpoint: deliveries that failed during the outage, and
 * events that arrived while it was disabled (it has no delivery for them). Null when the endpoint is enabled.
 */
export async function replayPreview(db: Queryable, endpointId: string): Promise<{ failed: number; missed: number } | null> {
  const { rows } = await db.query<{ failed: string; missed: string }>(
    `SELECT
       (SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries d WHERE ${failedInOutageSql("e", "d")} LIMIT $2) f) AS failed,
       (SELECT count(*) FROM (SELECT 1 FROM outbox_events o WHERE ${missedSql("e", "o", 'e."disabledAt"')} LIMIT $2) m) AS missed
     FROM webhook_endpoints e WHERE e.id = $1 AND NOT e.enabled`,
    [endpointId, REPLAY_COUNT_CAP],
  );
  return rows[0] ? { failed: Number(rows[0].failed), missed: Number(rows[0].missed) } : null;
}

/** Inserts a delivery, due at $3, for every outbox row that endpoint row `e` (a CTE) missed since `since`. */
function insertMissedSql(e: string, since: string, when = "true"): string {
  return `INSERT INTO webhook_deliveries ("endpointId", "eventId", "eventType", payload, "nextAttemptAt", "updatedAt")
    SELECT ${e}.id, o.id, o.type, ${envelopeSql("o")}, $3, $3
    FROM ${e} JOIN outbox_events o ON ${missedSql(e, "o", since)}
    WHERE ${when}
    ON CONFLICT ("endpointId", "eventId") DO NOTHING
    RETURNING 1`;
}

/**
 * Re-enables a disabled endpoint and clears its failure state. With `replay`, it also queues what the outage cost:
 * the deliveries that failed during it (one still in flight waits for its lease), and a delivery for every
 * subscribed event that arrived while it was disabled. Returns how many deliveries were queued.
 *
 * The catch-up runs twice: in the statement that enables, and once more after it committed. An event committed
 * after the first statement's snapshot can have been fanned out by a relay whose snapshot still showed the
 * endpoint disabled; the second statement sees every such event (it was committed before that relay's snapshot,
 * hence before ours), and every later event is fanned out by relays that see the endpoint enabled.
 */
export async function enableEndpoint(db: Queryable, endpointId: string, replay: boolean, now: Date): Promise<number> {
  const { rows } = await db.query<{ disabled_at: Date | null; replayed: string }>(
    `WITH before AS (
       SELECT id, "merchantId", "eventTypes", "failingSince", "disabledAt"
       FROM webhook_endpoints WHERE id = $1 AND NOT enabled FOR UPDATE
     ), ep AS (
       UPDATE webhook_endpoints e SET enabled = true, "disabledReason" = NULL, "disabledAt" = NULL, "failingSince" = NULL,
         "updatedAt" = $3
       FROM before b WHERE e.id = b.id
     ), requeued AS (
       UPDATE webhook_deliveries d SET status = 'PENDING', "nextAttemptAt" = greatest($3, d."leasedUntil"), "updatedAt" = $3
       FROM before b
       WHERE $2 AND ${failedInOutageSql("b", "d")}
       RETURNING 1
     ), caught_up AS (${insertMissedSql("before", 'before."disabledAt"', "$2")})
     SELECT (SELECT "disabledAt" FROM before) AS disabled_at, (SELECT count(*) FROM requeued) + (SELECT count(*) FROM caught_up) AS replayed`,
    [endpointId, replay, now],
  );
  const { disabled_at: disabledAt, replayed } = rows[0]!;
  if (!replay || !disabledAt) return Number(replayed);
  const again = await db.query(
    `WITH e AS (SELECT id, "merchantId", "eventTypes" FROM webhook_endpoints WHERE id = $1 AND enabled)
     ${insertMissedSql("e", "$2::timestamptz")}`,
    [endpointId, disabledAt, now],
  );
  return Number(replayed) + (again.rowCount ?? 0);
}

export type ReplayOutcome = { status: "queued" } | { status: "in_flight"; leasedUntil: Date } | { status: "missing" };

/**
 * Queues a delivery again now. A delivery that had used up its retries gets one more attempt (and a manual replay
 * after that); one still retrying just skips its wait. One a relay is sending right now is left alone — queuing it
 * would let a second relay send it at the same time — and the answer says until when its lease runs.
 */
export async function replayDelivery(db: Queryable, deliveryId: string, now: Date): Promise<ReplayOutcome> {
  const { rows } = await db.query<{ queued: boolean; leasedUntil: Date | null }>(
    `WITH queued AS (
       UPDATE webhook_deliveries SET status = 'PENDING', "nextAttemptAt" = $2, "leasedUntil" = NULL, "deliveredAt" = NULL,
         "updatedAt" = $2
       WHERE id = $1 AND ("leasedUntil" IS NULL OR "leasedUntil" <= $2)
       RETURNING id
     )
     SELECT EXISTS (SELECT 1 FROM queued) AS queued, d."leasedUntil"
     FROM (SELECT 1) one LEFT JOIN webhook_deliveries d ON d.id = $1`,
    [deliveryId, now],
  );
  const { queued, leasedUntil } = rows[0]!;
  if (queued) return { status: "queued" };
  return leasedUntil ? { status: "in_flight", leasedUntil } : { status: "missing" };
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
     ), delivery AS (
       INSERT INTO webhook_deliveries ("endpointId", "eventId", "eventType", payload, "nextAttemptAt", "updatedAt")
       SELECT $2, evt.id, evt.type, ${envelopeSql("evt")}, $4, $4 FROM evt
       RETURNING "eventId"
     )
     SELECT "eventId" AS id, ${WAKE_RELAYS_SQL} FROM delivery`,
    [merchantId, endpointId, data, now],
  );
  return rows[0]!.id;
}

/** Takes the retention lock for its transaction; a second relay pruning at the same time skips its turn. */
const PRUNE_LOCK = "hashtext('webhook retention')";

/**
 * One batch of retention: up to `batchSize` finished deliveries (their attempts cascade) not touched since
 * `before`, and up to `batchSize` outbox rows processed before it. Under a transaction-level advisory lock: null
 * when another relay holds it (it is doing the same work). Finished deliveries are found endpoint by endpoint
 * through the delivery log's (endpointId, createdAt) index, oldest first.
 */
export async function pruneFinished(
  db: Queryable,
  opts: { before: Date; batchSize: number; merchantIds?: string[] | null },
): Promise<{ deliveries: number; events: number } | null> {
  const { rows } = await db.query<{ locked: boolean; deliveries: string; events: string }>(
    `WITH lock AS (
       SELECT pg_try_advisory_xact_lock(${PRUNE_LOCK}) AS locked
     ), old_deliveries AS (
       SELECT d.id FROM webhook_endpoints e
       CROSS JOIN LATERAL (
         SELECT d.id FROM webhook_deliveries d
         WHERE d."endpointId" = e.id AND d."createdAt" < $1 AND d.status <> 'PENDING' AND d."updatedAt" < $1
         ORDER BY d."createdAt" LIMIT $2
       ) d
       WHERE (SELECT locked FROM lock) AND ($3::text[] IS NULL OR e."merchantId" = ANY ($3))
       LIMIT $2
     ), gone_deliveries AS (
       DELETE FROM webhook_deliveries d USING old_deliveries o WHERE d.id = o.id RETURNING 1
     ), gone_events AS (
       DELETE FROM outbox_events WHERE id IN (
         SELECT id FROM outbox_events
         WHERE (SELECT locked FROM lock) AND "processedAt" < $1 AND ($3::text[] IS NULL OR "merchantId" = ANY ($3))
         ORDER BY "processedAt" LIMIT $2
       )
       RETURNING 1
     )
     SELECT (SELECT locked FROM lock) AS locked, (SELECT count(*) FROM gone_deliveries) AS deliveries,
       (SELECT count(*) FROM gone_events) AS events`,
    [opts.before, opts.batchSize, opts.merchantIds ?? null],
  );
  const row = rows[0]!;
  return row.locked ? { deliveries: Number(row.deliveries), events: Number(row.events) } : null;
}

/**
 * Re-encrypts the signing secrets that are not sealed under the current key: plain values from before encryption,
 * and values sealed under WEBHOOK_SECRET_KEY_PREVIOUS. Expired previous secrets are dropped on the way. Each row is
 * written only if it did not change meanwhile (two processes starting at once both succeed). Returns how many rows
 * were rewritten and how many no configured key opens (they keep failing until the merchant rotates the secret).
 */
export async function resealEndpointSecrets(
  db: Queryable,
  { ring = keyringFromEnv(), now = new Date(), merchantIds = null }: { ring?: Keyring; now?: Date; merchantIds?: string[] | null } = {},
): Promise<{ resealed: number; unreadable: number }> {
  const pattern = currentKeyPattern(ring);
  let after = "";
  let resealed = 0;
  let unreadable = 0;
  for (;;) {
    const { rows } = await db.query<{ id: string; secret: string; previousSecret: string | null; previousSecretUntil: Date | null }>(
      `SELECT id, secret, "previousSecret", "previousSecretUntil" FROM webhook_endpoints
       WHERE id > $1 AND (secret NOT LIKE $2 OR "previousSecret" NOT LIKE $2) AND ($3::text[] IS NULL OR "merchantId" = ANY ($3))
       ORDER BY id LIMIT 500`,
      [after, pattern, merchantIds],
    );
    if (rows.length === 0) return { resealed, unreadable };
    after = rows.at(-1)!.id;
    const updates = rows.flatMap((row) => {
      const secret = resealOrNull(row.secret, row.id, ring);
      if (secret === null) {
        unreadable += 1;
        return [];
      }
      const previousLive = row.previousSecret !== null && row.previousSecretUntil !== null && row.previousSecretUntil > now;
      const previousSecret = previousLive ? resealOrNull(row.previousSecret!, row.id, ring) : null;
      return [{ id: row.id, secret, previousSecret, oldSecret: row.secret, oldPrevious: row.previousSecret }];
    });
    if (updates.length === 0) continue;
    const result = await db.query(
      `UPDATE webhook_endpoints e SET secret = u.secret, "previousSecret" = u.previous
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, secret, previous, old_secret, old_previous)
       WHERE e.id = u.id AND e.secret = u.old_secret AND e."previousSecret" IS NOT DISTINCT FROM u.old_previous`,
      [updates.map((u) => u.id), updates.map((u) => u.secret), updates.map((u) => u.previousSecret), updates.map((u) => u.oldSecret), updates.map((u) => u.oldPrevious)],
    );
    resealed += result.rowCount ?? 0;
  }
}
