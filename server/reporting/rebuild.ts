// The rollups' audit: recomputes every rollup from the raw facts and compares, key by key. With `fix`, each
// difference is written as a corrective delta in the same statement that found it, so the rollup equals the raw
// aggregate as of that statement's snapshot; writes committed meanwhile bring their own deltas, and intake never
// waits (no table lock). `npm run db:rebuild-rollups` runs it.
import type pg from "pg";
import { listClickPartitions } from "../tracking/click-partitions";
import { EXPECTED_CREDIT_FACTS, ROLLUPS, type Rollup, rawAggregateSql, rollupFrom } from "./rollups";

export interface RollupDifference {
  table: string;
  /** Keys whose sums differ (or exist on one side only). */
  keys: number;
  /** A few of them: the key, and raw minus rollup per value. */
  samples: Record<string, unknown>[];
}

const q = (name: string) => `"${name}"`;

/**
 * Rows whose time key is before this are not compared: the rollup's own retention pruned them, or the raw facts are
 * gone (click months dropped past CLICK_RETENTION_DAYS; their rollups stay as history).
 */
function keptSince(r: Rollup, now: Date, oldestClick: Date | null): string | null {
  const bounds = [
    r.time.retentionDays === null ? null : now.getTime() - r.time.retentionDays * 86_400_000,
    r.source === "clicks" && oldestClick ? oldestClick.getTime() : null,
  ].filter((t): t is number => t !== null);
  return bounds.length ? `'${new Date(Math.max(...bounds)).toISOString()}'::timestamptz` : null;
}

function differenceSql(r: Rollup, since: string | null): string {
  const keys = r.keys.map((k) => q(k.name)).join(", ");
  const sums = r.values.map((v) => `sum(${q(v.name)}) AS ${q(v.name)}`).join(", ");
  const rolledWhere = since ? `WHERE ${q(r.time.column)} >= ${since}` : "";
  const deltas = r.values.map((v) => `COALESCE(raw.${q(v.name)}, 0) - COALESCE(rolled.${q(v.name)}, 0) AS ${q(v.name)}`).join(", ");
  const differs = r.values.map((v) => `COALESCE(raw.${q(v.name)}, 0) <> COALESCE(rolled.${q(v.name)}, 0)`).join(" OR ");
  return `raw AS (${rawAggregateSql(r, since)}),
rolled AS (SELECT ${keys}, ${sums} FROM ${rollupFrom(r.table)} t ${rolledWhere} GROUP BY ${keys}),
diff AS (SELECT ${keys}, ${deltas} FROM raw FULL JOIN rolled USING (${keys}) WHERE ${differs})`;
}

const FACT_VALUES = ["day", "payee", "path", "commissionCurrency", "commissionMinor", "saleCurrency", "saleMinor"].map(q);

/** credit_facts against conversions ⨝ commissions; a fix refreshes the sales that differ (their triggers move the rollup). */
async function checkCreditFacts(pool: Pick<pg.Pool, "query">, fix: boolean, sampleSize: number): Promise<RollupDifference | null> {
  const values = (alias: string) => `(${FACT_VALUES.map((v) => `${alias}.${v}`).join(", ")})`;
  const { rows } = await pool.query<{ keys: number; samples: Record<string, unknown>[]; refreshed: unknown }>(
    `WITH diff AS (
       SELECT "conversionId", e.payee AS expected_payee, f.payee AS stored_payee, e."commissionMinor" AS expected_commission, f."commissionMinor" AS stored_commission
       FROM (${EXPECTED_CREDIT_FACTS}) e FULL JOIN credit_facts f USING ("conversionId")
       WHERE ${values("e")} IS DISTINCT FROM ${values("f")}
     )
     SELECT (SELECT count(*) FROM diff)::int AS keys, (SELECT COALESCE(json_agg(s), '[]') FROM (SELECT * FROM diff LIMIT ${sampleSize}) s) AS samples
       ${fix ? `, refresh_credit_facts(ARRAY(SELECT "conversionId" FROM diff)) AS refreshed` : ""}`,
  );
  return rows[0]!.keys > 0 ? { table: "credit_facts", keys: rows[0]!.keys, samples: rows[0]!.samples } : null;
}

/** Compares (and with `fix`, corrects) every rollup; returns the rollups that differed. */
export async function checkRollups(pool: Pick<pg.Pool, "query">, { fix = false, now = new Date(), sampleSize = 5 } = {}): Promise<RollupDifference[]> {
  const facts = await checkCreditFacts(pool, fix, sampleSize);
  const found: RollupDifference[] = facts ? [facts] : [];
  const months = await listClickPartitions(pool);
  const oldestClick = months.length ? months[0]!.from : null;
  for (const r of ROLLUPS) {
    const since = keptSince(r, now, oldestClick);
    const keys = r.keys.map((k) => q(k.name)).join(", ");
    const values = r.values.map((v) => q(v.name)).join(", ");
    const sql = fix
      ? `WITH ${differenceSql(r, since)}, fixed AS (INSERT INTO ${r.table}_delta (${keys}, ${values}) SELECT ${keys}, ${values} FROM diff RETURNING *)
         SELECT (SELECT count(*) FROM fixed)::int AS keys, (SELECT COALESCE(json_agg(s), '[]') FROM (SELECT * FROM fixed LIMIT ${sampleSize}) s) AS samples`
      : `WITH ${differenceSql(r, since)}
         SELECT (SELECT count(*) FROM diff)::int AS keys, (SELECT COALESCE(json_agg(s), '[]') FROM (SELECT * FROM diff LIMIT ${sampleSize}) s) AS samples`;
    const { rows } = await pool.query<{ keys: number; samples: Record<string, unknown>[] }>(sql);
    if (rows[0]!.keys > 0) found.push({ table: r.table, keys: rows[0]!.keys, samples: rows[0]!.samples });
  }
  return found;
}
