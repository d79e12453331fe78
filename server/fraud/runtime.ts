// The engine's I/O edge: at start, load its settings and replay recent traffic from Postgres; then follow clicks as
// they happen and reload settings when a manager changes them (LISTEN fraud_config, with a periodic reload as the
// safety net for a missed notification or a dropped listener connection).
import pg from "pg";
import { getPool } from "../db";
import { env } from "../env";
import { onShutdown } from "../lifecycle";
import { rollupFrom } from "../reporting/rollups";
import { onClick } from "../tracking/click-events";
import type { FraudEngine } from "./engine";
import { seedStarterBlocklist } from "./starter-blocklist";
import { HOUR, LIMITS } from "./traffic";
import { logLine } from "../log";

export const CONFIG_CHANNEL = "fraud_config";

/** Sends the reload signal in `tx` (a transaction's NOTIFY is delivered on commit, so never before the change). */
export async function notifyFraudConfigChanged(tx: { $executeRaw: (q: TemplateStringsArray, ...v: unknown[]) => Promise<unknown> }, what: string) {
  await tx.$executeRaw`SELECT pg_notify(${CONFIG_CHANNEL}, ${what})`;
}

export interface RuntimeOptions {
  /** Raw clicks replayed at start (the rest of the week is loaded as hourly counts). */
  replayHours?: number;
  reloadEveryMs?: number;
  log?: (line: string) => void;
}

const IDENTITY_FIELDS = `id, "knownIps", "signInIps", "knownCustomers"`;
type IdentityRow = { id: string; knownIps: string[]; signInIps: string[]; knownCustomers: string[] };

/** Reloads the own IPs and customers of these affiliates only (a sign-in from a new IP, a manager's edit). */
export async function reloadIdentities(engine: FraudEngine, affiliateIds: string[], pool: pg.Pool = getPool()): Promise<void> {
  const { rows } = await pool.query<IdentityRow>(`SELECT ${IDENTITY_FIELDS} FROM affiliates WHERE id = ANY($1::text[])`, [affiliateIds]);
  const found = new Map(rows.map((r) => [r.id, r]));
  for (const id of affiliateIds) engine.setAffiliateIdentity(found.get(id) ?? { id, knownIps: [], signInIps: [], knownCustomers: [] });
}

/** Loads rule settings, the block list and affiliates' own IPs (listed and signed in from) and customers. */
export async function reloadSettings(engine: FraudEngine, pool: pg.Pool = getPool()): Promise<void> {
  const [rules, blocks, identities] = await Promise.all([
    pool.query<{ code: string; enabled: boolean; severity: number; params: unknown }>(
      `SELECT code, enabled, severity, params FROM fraud_rule_configs`,
    ),
    pool.query<{ cidr: string; label: string }>(`SELECT cidr, label FROM ip_blocks`),
    pool.query<IdentityRow>(
      `SELECT ${IDENTITY_FIELDS} FROM affiliates
       WHERE cardinality("knownIps") > 0 OR cardinality("signInIps") > 0 OR cardinality("knownCustomers") > 0`,
    ),
  ]);
  engine.setConfig(rules.rows);
  engine.setBlocklist(blocks.rows);
  engine.setAffiliateIdentities(identities.rows);
}

/**
 * Rebuilds the traffic picture: hourly click and conversion counts for the past week (from the hourly rollups), then the last `replayHours` of clicks row by row — newest `maxRows` at most — so velocity,
 * bursts, farms and the recent-click index are as they were, then each affiliate's latest conversions.
 */
export async function rebuildTraffic(engine: FraudEngine, now: number, options: { replayHours?: number; maxRows?: number; pool?: pg.Pool } = {}) {
  const pool = options.pool ?? getPool();
  const maxRows = options.maxRows ?? 200_000;
  const replayFrom = new Date(Math.floor((now - (options.replayHours ?? 2) * HOUR) / HOUR) * HOUR);
  const historyFrom = new Date(Math.floor((now - LIMITS.historyMs) / HOUR) * HOUR + HOUR);

  // From the hourly rollups (rows per affiliate-hour with traffic, not per click): the same time at any volume.
  const hourly = await pool.query<{ affiliateId: string; hour: Date; clicks: number; conversions: number }>(
    `SELECT "affiliateId", hour, sum(clicks)::int AS clicks, sum(conversions)::int AS conversions FROM (
       SELECT "affiliateId", hour, billable AS clicks, 0 AS conversions FROM ${rollupFrom("rollup_affiliate_hour_clicks")} c
       WHERE hour >= $1 AND hour < $2
       UNION ALL
       SELECT "affiliateId", hour, 0, n FROM ${rollupFrom("rollup_affiliate_hour_conversions")} v WHERE hour >= $1
     ) t GROUP BY 1, 2 HAVING sum(clicks) <> 0 OR sum(conversions) <> 0`,
    [historyFrom, replayFrom],
  );
  for (const row of hourly.rows) engine.traffic.addHourlyHistory(row.affiliateId, row.hour.getTime(), row.clicks, row.conversions);

  const clicks = await pool.query<{ id: string; affiliateId: string; createdAt: Date; ip: string | null; userAgent: string | null; isBot: boolean; billable: boolean }>(
    `SELECT * FROM (
       SELECT id, "affiliateId", "createdAt", ip, "userAgent", "isBot", billable FROM clicks
       WHERE "createdAt" >= $1 ORDER BY "createdAt" DESC LIMIT $2
     ) recent ORDER BY "createdAt"`,
    [replayFrom, maxRows],
  );
  for (const c of clicks.rows) engine.recordClick({ clickId: c.id, affiliateId: c.affiliateId, at: c.createdAt.getTime(), ip: c.ip, userAgent: c.userAgent, isBot: c.isBot, billable: c.billable });

  const conversions = await pool.query<{ affiliateId: string; clickId: string; txnId: string; clickedAt: Date; createdAt: Date; ip: string | null; customerId: string | null }>(
    `SELECT "affiliateId", "clickId", "txnId", "clickedAt", "createdAt", ip, "customerId" FROM (
       SELECT *, row_number() OVER (PARTITION BY "affiliateId" ORDER BY "createdAt" DESC) AS n
       FROM conversions WHERE "createdAt" >= $1
     ) t WHERE n <= $2 ORDER BY "createdAt"`,
    [historyFrom, LIMITS.recentConversionsPerAffiliate],
  );
  for (const c of conversions.rows) {
    engine.traffic.recordConversion(
      { key: `${c.clickId}|${c.txnId}`, affiliateId: c.affiliateId, clickedAt: c.clickedAt.getTime(), at: c.createdAt.getTime(), ip: c.ip, customerId: c.customerId },
      { countInRates: false }, // the hourly counts above already hold them
    );
  }
  return { hourlyRows: hourly.rowCount ?? 0, clicks: clicks.rowCount ?? 0, conversions: conversions.rowCount ?? 0 };
}

/** Follows `fraud_config` notifications on a dedicated connection, reconnecting after a failure. */
function listenForChanges(onChange: (payload: string) => void, log: (line: string) => void): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const next = new pg.Client({ connectionString: env().DATABASE_URL });
    next.on("notification", (n) => onChange(n.payload ?? ""));
    next.on("error", (error) => {
      log(`[fraud] config listener lost its connection: ${error.message}`);
      void next.end().catch(() => {});
      schedule();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${CONFIG_CHANNEL}`);
      if (stopped) return void (await next.end());
      client = next;
      onChange("reconnected"); // anything changed while disconnected is picked up now
    } catch (error) {
      log(`[fraud] config listener could not connect: ${(error as Error).message}`);
      void next.end().catch(() => {});
      schedule();
    }
  };
  const schedule = () => {
    client = undefined;
    if (!stopped && !retry) retry = setTimeout(() => ((retry = undefined), void connect()), 2_000).unref();
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

export interface FraudRuntime {
  /** Reloads settings now (what a notification triggers; "identities:<affiliate id>" reloads that affiliate only). */
  reload(payload?: string): Promise<void>;
  stop(): Promise<void>;
  rebuilt: Awaited<ReturnType<typeof rebuildTraffic>>;
}

export async function startRuntime(engine: FraudEngine, options: RuntimeOptions = {}): Promise<FraudRuntime> {
  const log = options.log ?? logLine;
  await seedStarterBlocklist();
  await reloadSettings(engine);
  const started = Date.now();
  const rebuilt = await rebuildTraffic(engine, started, { replayHours: options.replayHours });
  log(`[fraud] engine ready: replayed ${rebuilt.clicks} clicks, ${rebuilt.conversions} conversions, ${rebuilt.hourlyRows} hourly rows in ${Date.now() - started} ms`);

  const unsubscribe = onClick((click) => engine.recordClick(click));
  // One reload at a time; a change announced while one runs triggers another, since the running one may have read
  // before that change committed. "identities:<affiliate id>" (a sign-in from a new IP, a manager's edit) reloads
  // that affiliate only; anything else reloads everything.
  let running: Promise<void> | undefined;
  let everything = false;
  const affiliates = new Set<string>();
  const pending = () => everything || affiliates.size > 0;
  const reload = (payload = ""): Promise<void> => {
    if (payload.startsWith("identities:")) affiliates.add(payload.slice("identities:".length));
    else everything = true;
    running ??= (async () => {
      while (pending()) {
        const full = everything;
        const ids = [...affiliates];
        everything = false;
        affiliates.clear();
        await (full ? reloadSettings(engine) : reloadIdentities(engine, ids)).catch((error) => log(`[fraud] settings reload failed: ${(error as Error).message}`));
      }
    })().finally(() => (running = undefined));
    return running;
  };
  const stopListening = listenForChanges((payload) => void reload(payload), log);
  const timer = setInterval(() => void reload(), options.reloadEveryMs ?? 30_000).unref();

  const stop = async () => {
    unsubscribe();
    clearInterval(timer);
    await stopListening();
  };
  onShutdown("fraud engine", stop, 50);
  return { reload, stop, rebuilt };
}
