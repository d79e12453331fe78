// The click sink's database edge: one statement per batch (per month's partition), never a row at a time.
//
// A batch's first attempt is a COPY … FROM STDIN of the rows as text into its month's partition, with the batch's
// rollup deltas added in the same transaction (rollup_clicks_add, server/reporting/rollups.ts). PostgreSQL inserts
// COPY's rows with its bulk path, about two thirds of the CPU per row of INSERT … SELECT FROM unnest(…) (npm run bench:sink), and on a small
// machine the database shares its cores with the redirects. COPY cannot skip rows that already exist, so a batch whose earlier
// attempt ended without an answer (the commit may have happened) is written with INSERT … unnest … ON CONFLICT
// DO NOTHING instead: a retry is always harmless.
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { checkOut } from "../db/checked-out";
import type { ClickWriter } from "./click-sink";
import type { ClickRecord } from "./redirect";

const COLUMNS = `(id, "linkId", "affiliateId", "offerId", "createdAt", ip, "userAgent", referer, sub1, sub2, sub3, sub4, sub5, billable, "isBot", "isRepeat")`;

const copyClicks = (table: string) => `COPY ${table} ${COLUMNS} FROM STDIN`;

const insertClicks = (table: string) => `INSERT INTO ${table} ${COLUMNS}
SELECT id, link_id, affiliate_id, offer_id, 'epoch'::timestamptz + at_ms * interval '1 millisecond', ip, user_agent, referer,
   sub1, sub2, sub3, sub4, sub5, billable, is_bot, is_repeat
FROM unnest($1::text[], $2::int4[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::text[],
   $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bool[], $15::bool[], $16::bool[])
  AS t(id, link_id, affiliate_id, offer_id, at_ms, ip, user_agent, referer, sub1, sub2, sub3, sub4, sub5, billable, is_bot, is_repeat)
ON CONFLICT DO NOTHING`;

export interface ClickWriterOptions {
  timeoutMs?: number;
  /** The table written (benchmarks compare tables; the app writes `clicks`). */
  table?: string;
}

/** A database that stops answering must not hold the sink forever: the write fails and the batch is retried. */
const WRITE_TIMEOUT_MS = 30_000;

export function pgClickWriter(pool: pg.Pool, { timeoutMs = WRITE_TIMEOUT_MS, table = "clicks" }: ClickWriterOptions = {}): ClickWriter {
  const insert = insertClicks(table);
  const months = table === "clicks" ? monthPartitions(pool) : null;
  return async (batch, { mayExist = false } = {}) => {
    if (mayExist) return insertSkippingExisting(pool, insert, batch, timeoutMs);
    const groups = months ? await months.split(batch) : [{ table, rows: batch, partition: false }];
    return copyRows(pool, groups, timeoutMs);
  };
}

/**
 * `clicks` is partitioned by month (server/tracking/click-partitions.ts). A COPY into the partitioned table inserts
 * row by row (PostgreSQL's COPY does not batch rows routed to partitions under a statement trigger with a
 * transition table, which the rollups need), so a batch is copied into its month's partition itself — nearly always
 * one; two at a month's turn — and its rollup deltas are added by the writer: partitions have no rollup trigger (its
 * transition table alone cost a fifth of the COPY, bench:sink). A month without a partition (a clock far off) goes through the parent, which refuses
 * the rows as data (counted by the sink).
 */
function monthPartitions(pool: pg.Pool) {
  let known: Set<string> | undefined;
  const load = async () => {
    const { rows } = await pool.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'clicks'::regclass`);
    known = new Set(rows.map((r) => r.name));
  };
  return {
    async split(batch: readonly ClickRecord[]): Promise<Group[]> {
      const byMonth = new Map<string, ClickRecord[]>();
      let lastAt = NaN;
      let lastName = "";
      for (const click of batch) {
        if (click.at !== lastAt) {
          const d = new Date(click.at);
          lastAt = click.at;
          lastName = `clicks_p${d.getUTCFullYear()}_${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
        }
        let rows = byMonth.get(lastName);
        if (!rows) byMonth.set(lastName, (rows = []));
        rows.push(click);
      }
      if (!known || [...byMonth.keys()].some((name) => !known!.has(name))) await load(); // a month created since
      return [...byMonth].map(([name, rows]) => (known!.has(name) ? { table: name, rows, partition: true } : { table: "clicks", rows, partition: false }));
    },
  };
}

/** Rows for one table; `partition`: a month's partition, which has no rollup trigger (the writer adds the deltas). */
interface Group {
  table: string;
  rows: readonly ClickRecord[];
  partition: boolean;
}

async function copyRows(pool: pg.Pool, groups: Group[], timeoutMs: number): Promise<void> {
  const { client, release } = await checkOut(pool); // a backend dying mid-COPY fails the batch, not the process
  let failure: Error | undefined;
  try {
    // The rows and their rollup deltas commit together (and two months' rows too: a retried batch must be all
    // stored or none). Every statement has the read timeout: a host that goes silent fails the write wherever it is.
    const statement = (text: string, values?: unknown[]) => client.query({ text, values, query_timeout: timeoutMs } as pg.QueryConfig);
    await statement("BEGIN");
    for (const group of groups) {
      // pg arms its read timeout, when it submits a query, on any query object with a `callback` (pg-copy-streams
      // defines one for this): the option must be on the stream before client.query() sees it.
      const copy = client.query(Object.assign(copyFrom(copyClicks(group.table)), { query_timeout: timeoutMs }));
      await new Promise<void>((resolve, reject) => {
        copy.on("error", reject);
        copy.on("finish", resolve);
        copy.end(copyText(group.rows));
      });
      if (group.partition) await statement(ADD_TO_ROLLUPS, rollupArrays(group.rows));
    }
    await statement("COMMIT");
  } catch (error) {
    failure = error as Error;
    throw error;
  } finally {
    // A connection whose COPY failed may be mid-protocol: it is closed rather than reused (and a transaction with it).
    release(failure);
  }
}

async function insertSkippingExisting(pool: pg.Pool, sql: string, batch: readonly ClickRecord[], timeoutMs: number): Promise<void> {
  const text = (pick: (c: ClickRecord) => string | null) => textArray(batch, pick);
  const plain = (pick: (c: ClickRecord) => number | boolean) => `{${batch.map(pick).join(",")}}`;
  const values = [
    text((c) => c.clickId),
    plain((c) => c.linkId),
    text((c) => c.affiliateId),
    text((c) => c.offerId),
    plain((c) => c.at),
    text((c) => c.ip),
    text((c) => c.userAgent),
    text((c) => c.referer),
    text((c) => c.sub1),
    text((c) => c.sub2),
    text((c) => c.sub3),
    text((c) => c.sub4),
    text((c) => c.sub5),
    plain((c) => c.billable),
    plain((c) => c.isBot),
    plain((c) => c.isRepeat),
  ];
  // (pg reads query_timeout from the query too; its types only declare it on the client.)
  const query: pg.QueryConfig & { query_timeout: number } = { text: sql, values, query_timeout: timeoutMs };
  await pool.query(query);
}

const ADD_TO_ROLLUPS = "SELECT rollup_clicks_add($1, $2, $3, $4, $5, $6, $7, $8)";
const MINUTE_MS = 60_000;

/**
 * The batch grouped per (link, affiliate, offer, minute) with its counts, as rollup_clicks_add()'s arrays
 * (server/reporting/rollups.ts, PRE_AGGREGATE's columns in order).
 */
export function rollupArrays(batch: readonly ClickRecord[]): unknown[] {
  const groups = new Map<string, { click: ClickRecord; minute: number; n: number; billable: number; bots: number; repeats: number }>();
  for (const click of batch) {
    const minute = Math.floor(click.at / MINUTE_MS) * MINUTE_MS;
    const key = `${click.linkId}\t${click.affiliateId}\t${click.offerId}\t${minute}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { click, minute, n: 0, billable: 0, bots: 0, repeats: 0 }));
    group.n++;
    if (click.billable) group.billable++;
    if (click.isBot) group.bots++;
    if (click.isRepeat) group.repeats++;
  }
  const all = [...groups.values()];
  return [
    all.map((g) => g.click.linkId),
    all.map((g) => g.click.affiliateId),
    all.map((g) => g.click.offerId),
    all.map((g) => new Date(g.minute).toISOString()),
    all.map((g) => g.n),
    all.map((g) => g.billable),
    all.map((g) => g.bots),
    all.map((g) => g.repeats),
  ];
}

/** The batch in COPY's text format: one line per row, tab-separated, `\N` for NULL. */
function copyText(batch: readonly ClickRecord[]): string {
  let out = "";
  let lastAt = NaN;
  let lastTime = "";
  for (const c of batch) {
    if (c.at !== lastAt) {
      lastAt = c.at;
      lastTime = new Date(c.at).toISOString(); // clicks of one millisecond share it: a busy link has dozens
    }
    out +=
      `${copyField(c.clickId)}\t${c.linkId}\t${copyField(c.affiliateId)}\t${copyField(c.offerId)}\t${lastTime}\t` +
      `${copyField(c.ip)}\t${copyField(c.userAgent)}\t${copyField(c.referer)}\t${copyField(c.sub1)}\t${copyField(c.sub2)}\t` +
      `${copyField(c.sub3)}\t${copyField(c.sub4)}\t${copyField(c.sub5)}\t${c.billable ? "t" : "f"}\t${c.isBot ? "t" : "f"}\t${c.isRepeat ? "t" : "f"}\n`;
  }
  return out;
}

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function copyField(value: string | null): string {
  if (value === null) return "\\N";
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

const NEEDS_ESCAPE = /["\\]/;

/**
 * A PostgreSQL text[] literal built directly: pg's own array conversion runs two regex replaces per element, which
 * at 16 columns × thousands of rows is measurable on the event loop that also serves redirects.
 */
function textArray(batch: readonly ClickRecord[], pick: (c: ClickRecord) => string | null): string {
  let out = "{";
  for (let i = 0; i < batch.length; i++) {
    const value = pick(batch[i]!);
    if (i > 0) out += ",";
    out += value == null ? "NULL" : NEEDS_ESCAPE.test(value) ? `"${value.replace(/["\\]/g, "\\$&")}"` : `"${value}"`;
  }
  return out + "}";
}
