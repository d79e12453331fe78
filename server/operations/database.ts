// What only the database knows, read by each instance's monitor every 2 s on a pool of its own (2 connections,
// short time limits: a stopped database is reported within seconds, never waited on), and each instance's
// snapshot published for the others.
import pg from "pg";
import type { DatabaseFigures, EndpointBacklog, InstanceFigures } from "./types";

export function createOpsPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 2,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 1_500,
    statement_timeout: 1_500,
    query_timeout: 2_000,
    application_name: "operations",
    allowExitOnIdle: true,
  });
  pool.on("error", () => {}); // an idle connection lost with the database: the next probe reports it
  return pool;
}

const ms = (d: Date | null) => (d ? d.getTime() : null);

export async function readDatabaseFigures(pool: pg.Pool): Promise<DatabaseFigures> {
  const started = performance.now();
  await pool.query("SELECT 1");
  const probeMs = performance.now() - started;
  const [outbox, endpoints, review, runs, lastClick] = await Promise.all([
    pool.query<{ n: number; oldest: Date | null }>(`SELECT count(*)::int AS n, min("createdAt") AS oldest FROM outbox_events WHERE "processedAt" IS NULL`),
    pool.query<{ id: string; url: string; merchantName: string; enabled: boolean; pending: number; oldest: Date | null; failingSince: Date | null; disabledReason: string | null }>(`
      SELECT e.id, e.url, m.name AS "merchantName", e.enabled, coalesce(p.pending, 0)::int AS pending, p.oldest,
             e."failingSince", e."disabledReason"
        FROM webhook_endpoints e
        JOIN merchants m ON m.id = e."merchantId"
        LEFT JOIN (SELECT "endpointId", count(*) AS pending, min("createdAt") AS oldest
                     FROM webhook_deliveries WHERE status = 'PENDING' GROUP BY "endpointId") p ON p."endpointId" = e.id
       WHERE p.pending > 0 OR e."failingSince" IS NOT NULL OR (NOT e.enabled AND e."disabledReason" IS NOT NULL)
       ORDER BY p.oldest NULLS LAST, e."failingSince" NULLS LAST LIMIT 50`),
    pool.query<{ n: number }>(`SELECT count(DISTINCT coalesce("commissionId", id))::int AS n FROM fraud_flags WHERE status = 'OPEN'`),
    readPayoutRuns(pool),
    pool.query<{ at: Date | null }>(`SELECT "createdAt" AS at FROM clicks ORDER BY id DESC LIMIT 1`),
  ]);
  return {
    at: Date.now(),
    probeMs,
    outbox: { unprocessed: outbox.rows[0]?.n ?? 0, oldestAt: ms(outbox.rows[0]?.oldest ?? null) },
    endpoints: endpoints.rows.map(
      (e): EndpointBacklog => ({
        endpointId: e.id,
        url: e.url,
        merchantName: e.merchantName,
        enabled: e.enabled,
        pending: e.pending,
        oldestPendingAt: ms(e.oldest),
        failingSince: ms(e.failingSince),
        disabledReason: e.disabledReason,
      }),
    ),
    reviewQueue: review.rows[0]?.n ?? 0,
    payoutRuns: runs,
    lastClickAt: ms(lastClick.rows[0]?.at ?? null),
  };
}

// Payout runs in progress, by the existing statuses (kept apart: payouts are being reworked into lanes).
async function readPayoutRuns(pool: pg.Pool) {
  const { rows } = await pool.query<{ status: string; n: number; oldest: Date | null }>(
    `SELECT status::text, count(*)::int AS n, min("createdAt") AS oldest FROM payout_runs WHERE status IN ('DRAFT', 'APPROVED') GROUP BY status ORDER BY status`,
  );
  return rows.map((r) => ({ status: r.status, count: r.n, oldestAt: ms(r.oldest) }));
}

export async function publishSnapshot(pool: pg.Pool, figures: InstanceFigures): Promise<void> {
  await pool.query(
    `INSERT INTO instance_snapshots (id, data, "updatedAt") VALUES ($1, $2, now())
     ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, "updatedAt" = EXCLUDED."updatedAt"`,
    [figures.instance, JSON.stringify(figures)],
  );
}

/** Other instances' snapshots of the last minute (older rows are deleted: those instances stopped). */
export async function readSnapshots(pool: pg.Pool, self: string): Promise<InstanceFigures[]> {
  await pool.query(`DELETE FROM instance_snapshots WHERE "updatedAt" < now() - interval '1 hour'`);
  const { rows } = await pool.query<{ data: InstanceFigures; updatedAt: Date }>(
    `SELECT data, "updatedAt" FROM instance_snapshots WHERE id <> $1 AND "updatedAt" > now() - interval '1 minute'`,
    [self],
  );
  return rows.map((r) => ({ ...r.data, at: r.updatedAt.getTime() }));
}
