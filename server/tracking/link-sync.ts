// Keeps a LinkCache equal to the links table on every instance: a full load at boot, LISTEN link_changed on a
// dedicated connection (the triggers of migrations 20261121143117 and 20261202…_links_follow_offer_and_affiliate_status
// notify each change), and a periodic full reload as the safety net for notifications missed while disconnected
// (also run right after every reconnect). A link is served while it, its offer and its affiliate are all active.
//
// All reloads go through one queue, one query at a time, so an older answer never overwrites a newer one: a
// notification that arrives during a full reload marks its link dirty and is reloaded after it.
import pg from "pg";
import { checkDestination } from "./destination";
import type { LinkCache, LinkRow } from "./link-cache";
import { logLine } from "../log";

export const LINK_CHANNEL = "link_changed";

const LINK_SELECT = `SELECT l.id, l.slug, l."affiliateId", l."offerId", l."destinationUrl",
    (l.active AND o.active AND a.active) AS active, o."clickIdParam"
  FROM links l JOIN offers o ON o.id = l."offerId" JOIN affiliates a ON a.id = l."affiliateId"`;

export interface LinkSyncOptions {
  /** For the reload queries (the app's pool). */
  pool: pg.Pool;
  /** For the LISTEN connection, which must not come from a pool. */
  databaseUrl: string;
  resyncMs: number;
  log?: (line: string) => void;
  /** Names the LISTEN connection in pg_stat_activity. */
  applicationName?: string;
}

export interface LinkSync {
  /** Resolves when every change queued so far is applied (tests, and the boot load). */
  settle(): Promise<void>;
  /** Queues a full reload and waits for it. */
  resync(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLinkSync(cache: LinkCache, { pool, databaseUrl, resyncMs, log = logLine, applicationName = "link-cache-listener" }: LinkSyncOptions): Promise<LinkSync> {
  const dirtyLinks = new Set<number>();
  const dirtyOffers = new Set<string>();
  const dirtyAffiliates = new Set<string>();
  let fullReload = true;
  let settingsDirty = true;
  let stopped = false;
  let pumping: Promise<void> | undefined;

  async function reloadAll() {
    const { rows } = await pool.query<LinkRow>(`${LINK_SELECT} WHERE l.active AND o.active AND a.active`);
    cache.replaceAll(rows);
  }

  async function reloadLinks(ids: number[]) {
    const { rows } = await pool.query<LinkRow>(`${LINK_SELECT} WHERE l.id = ANY($1::int[])`, [ids]);
    for (const id of ids) cache.remove(id); // deleted rows are simply absent from the answer
    for (const row of rows) cache.apply(row);
  }

  async function reloadSettings() {
    const { rows } = await pool.query<{ fallbackUrl: string | null }>(`SELECT "fallbackUrl" FROM program_settings WHERE id = 1`);
    const raw = rows[0]?.fallbackUrl;
    const checked = raw ? checkDestination(raw) : null;
    cache.fallbackUrl = checked?.ok ? checked.url : null;
  }

  async function drain() {
    while (!stopped) {
      if (fullReload) {
        fullReload = false;
        dirtyLinks.clear();
        dirtyOffers.clear();
        dirtyAffiliates.clear();
        await reloadAll();
      } else if (settingsDirty) {
        settingsDirty = false;
        await reloadSettings();
      } else if (dirtyOffers.size || dirtyAffiliates.size) {
        const offers = [...dirtyOffers];
        const affiliates = [...dirtyAffiliates];
        dirtyOffers.clear();
        dirtyAffiliates.clear();
        const { rows } = await pool.query<{ id: number }>(
          `SELECT id FROM links WHERE "offerId" = ANY($1::text[]) OR "affiliateId" = ANY($2::text[])`,
          [offers, affiliates],
        );
        for (const row of rows) dirtyLinks.add(row.id);
      } else if (dirtyLinks.size) {
        const ids = [...dirtyLinks].slice(0, 5_000);
        for (const id of ids) dirtyLinks.delete(id);
        await reloadLinks(ids);
      } else return;
    }
  }

  const pending = () => fullReload || settingsDirty || dirtyOffers.size > 0 || dirtyAffiliates.size > 0 || dirtyLinks.size > 0;

  /** Runs the queue until empty; a failed query puts a full reload back on the queue and retries after 1 s. */
  function pump(): Promise<void> {
    pumping ??= (async () => {
      for (;;) {
        try {
          return await drain();
        } catch (error) {
          log(`[links] cache reload failed, retrying: ${(error as Error).message}`);
          fullReload = settingsDirty = true;
          await new Promise((resolve) => setTimeout(resolve, 1_000).unref());
          if (stopped) return;
        }
      }
    })().finally(() => {
      pumping = undefined;
      if (pending() && !stopped) void pump();
    });
    return pumping;
  }

  function onPayload(payload: string | undefined) {
    if (!payload) return;
    if (payload === "settings") settingsDirty = true;
    else if (payload.startsWith("offer:")) dirtyOffers.add(payload.slice(6));
    else if (payload.startsWith("affiliate:")) dirtyAffiliates.add(payload.slice(10));
    else if (/^\d+$/.test(payload)) dirtyLinks.add(Number(payload));
    else return;
    void pump();
  }

  // LISTEN connection with reconnect (exponential backoff up to 5 s), resync after each reconnect.
  let client: pg.Client | undefined;
  let backoffMs = 200;
  let reconnectTimer: NodeJS.Timeout | undefined;

  async function connect(): Promise<void> {
    // keepAlive notices a half-open connection (a vanished server) that would otherwise wait silently forever.
    const c = new pg.Client({ connectionString: databaseUrl, application_name: applicationName, keepAlive: true, connectionTimeoutMillis: 5_000 });
    c.on("notification", (msg) => onPayload(msg.payload));
    c.on("error", (error) => {
      log(`[links] listener connection lost: ${error.message}`);
      lost(c);
    });
    c.on("end", () => lost(c));
    client = c;
    await c.connect();
    await c.query(`LISTEN ${LINK_CHANNEL}`);
    backoffMs = 200;
  }

  function lost(c: pg.Client) {
    if (client !== c || stopped) return;
    client = undefined;
    c.end().catch(() => {});
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (stopped || reconnectTimer) return;
    reconnectTimer = setTimeout(async () => {
      reconnectTimer = undefined;
      try {
        await connect();
        log("[links] listener reconnected: full reload");
        fullReload = settingsDirty = true;
        void pump();
      } catch (error) {
        log(`[links] listener reconnect failed: ${(error as Error).message}`);
        if (client) lost(client);
        else scheduleReconnect();
      }
    }, backoffMs);
    reconnectTimer.unref();
    backoffMs = Math.min(backoffMs * 2, 5_000);
  }

  // LISTEN first, then load: a change committed between the two is both in the load and notified (harmless).
  await connect();
  await pump();

  const resyncTimer = setInterval(() => {
    fullReload = settingsDirty = true;
    void pump();
  }, resyncMs);
  resyncTimer.unref();

  return {
    settle: async () => {
      while (pumping) await pumping;
    },
    resync: async () => {
      fullReload = settingsDirty = true;
      await pump();
      while (pumping) await pumping;
    },
    stop: async () => {
      stopped = true;
      clearInterval(resyncTimer);
      clearTimeout(reconnectTimer);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
      await pumping?.catch(() => {});
    },
  };
}
