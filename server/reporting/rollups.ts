// The rollups every dashboard reads instead of the raw facts, and the SQL that keeps them exact.
//
// Each rollup is a table of sums by a key (e.g. billable clicks per (day, link)). PostgreSQL keeps it on the write
// path: statement-level triggers on `clicks`, `conversions` and `commissions` add what a statement inserted and
// subtract what it deleted or changed from — in the same transaction as the facts, so a rollup is never behind what
// a commit acknowledged, whichever code path writes (a postback, the approval job, a fraud decision, a payout run, a
// test fixture). The one exception is the click sink's COPY into a month's partition, which adds its batch's deltas
// itself in the COPY's transaction (clickBatchFunctionSql below).
//
// Writers never contend: a trigger only *appends* its statement's grouped change to the rollup's `_delta` table (no
// unique key, no row lock). The compactor (compactor.ts) folds deltas into the keyed table every second, in one
// transaction, so a read sees each change exactly once: reads always sum `rollup ∪ rollup_delta` (rollupFrom()).
//
// The grains are chosen so a page reads at most a few thousand rows: per link per day (link pages), per offer per
// day (program overview, merchant offers), per affiliate per hour and per minute (fraud charts, the fraud engine's
// start), per affiliate and offer per day for commissions (earnings), and credit per (day or week, payee, touch path).
//
// This file is the single source: the migration's SQL was printed from it (`npx tsx scripts/rollup-sql.ts`), the
// compactor and the rebuild check (rebuild.ts) iterate it, and the reads name its tables.

export type SourceTable = "clicks" | "conversions" | "commissions" | "credit_facts";

export interface Column {
  name: string;
  type: string;
  /** The value's SQL over one source row `r` (a key) or the per-row amount summed (a value). */
  expr: string;
}

export interface Rollup {
  table: string;
  source: SourceTable;
  /** Only source rows matching this (over `r`) count. */
  where?: string;
  keys: Column[];
  values: Column[];
  /** Secondary indexes of the keyed table (the key's order is its primary key's). */
  indexes?: string[][];
  /**
   * The key column that is a point in time, and how long the rollup keeps it: older keys are pruned, and the rebuild
   * check compares only the kept span (null: kept forever).
   */
  time: { column: string; retentionDays: number | null };
}

const day = (col: string): Column => ({ name: "day", type: "date", expr: `(r."${col}" AT TIME ZONE 'UTC')::date` });
const trunc = (name: string, unit: "hour" | "minute", col: string): Column => ({ name, type: "timestamptz(3)", expr: `date_trunc('${unit}', r."${col}", 'UTC')` });
const col = (name: string, type: string): Column => ({ name, type, expr: `r."${name}"` });
const count: Column = { name: "n", type: "bigint", expr: "1" };
const when = (name: string, condition: string): Column => ({ name, type: "bigint", expr: `CASE WHEN ${condition} THEN 1 ELSE 0 END` });

/**
 * A statement's clicks are first grouped once per (link, minute) — a click batch of one busy link is a row or two —
 * and every click rollup is summed from those rows: one pass over the statement's rows, not one per rollup. The
 * click rollups' expressions below read these columns.
 */
export const PRE_AGGREGATE: Partial<Record<SourceTable, { keys: Column[]; values: Column[] }>> = {
  clicks: {
    keys: [col("linkId", "integer"), col("affiliateId", "text"), col("offerId", "text"), trunc("minute", "minute", "createdAt")],
    values: [count, when("billable", "r.billable"), when("bots", `r."isBot"`), when("repeats", `r."isRepeat"`)],
  },
};

const summed = (name: string): Column => ({ name, type: "bigint", expr: `r."${name}"` });
const clickValues = ["n", "billable", "bots", "repeats"].map(summed);
const clickDay: Column = { name: "day", type: "date", expr: `(r."minute" AT TIME ZONE 'UTC')::date` };

export const ROLLUPS: Rollup[] = [
  {
    table: "rollup_link_day_clicks",
    source: "clicks",
    keys: [col("linkId", "integer"), clickDay, col("affiliateId", "text"), col("offerId", "text")],
    values: clickValues,
    indexes: [["affiliateId", "day"]],
    time: { column: "day", retentionDays: null },
  },
  {
    table: "rollup_offer_day_clicks",
    source: "clicks",
    keys: [col("offerId", "text"), clickDay],
    values: clickValues,
    time: { column: "day", retentionDays: null },
  },
  {
    table: "rollup_affiliate_hour_clicks",
    source: "clicks",
    keys: [col("affiliateId", "text"), trunc("hour", "hour", "minute")],
    values: [summed("n"), summed("billable")],
    indexes: [["hour"]],
    time: { column: "hour", retentionDays: null },
  },
  {
    // The fraud review's minute-by-minute chart looks at hours around recent flags only.
    table: "rollup_affiliate_minute_clicks",
    source: "clicks",
    keys: [col("affiliateId", "text"), col("minute", "timestamptz(3)")],
    values: [summed("n"), summed("billable")],
    indexes: [["minute"]],
    time: { column: "minute", retentionDays: 8 },
  },
  {
    table: "rollup_link_day_conversions",
    source: "conversions",
    keys: [col("linkId", "integer"), day("createdAt"), col("affiliateId", "text"), col("offerId", "text"), col("merchantId", "text")],
    indexes: [["affiliateId", "day"]],
    values: [count, when("refunded", `r.status = 'REFUNDED'`)],
    time: { column: "day", retentionDays: null },
  },
  {
    table: "rollup_offer_day_conversions",
    source: "conversions",
    keys: [col("offerId", "text"), day("createdAt"), col("merchantId", "text")],
    values: [count, when("refunded", `r.status = 'REFUNDED'`)],
    time: { column: "day", retentionDays: null },
  },
  {
    table: "rollup_affiliate_day_conversions",
    source: "conversions",
    keys: [day("createdAt"), col("affiliateId", "text")],
    values: [count],
    time: { column: "day", retentionDays: null },
  },
  {
    // The overview's top affiliates over 30 days: whole weeks from here, the days at the edges from the daily rollup.
    table: "rollup_affiliate_week_conversions",
    source: "conversions",
    keys: [{ name: "week", type: "date", expr: `date_trunc('week', r."createdAt" AT TIME ZONE 'UTC')::date` }, col("affiliateId", "text")],
    values: [count],
    time: { column: "week", retentionDays: null },
  },
  {
    table: "rollup_affiliate_hour_conversions",
    source: "conversions",
    keys: [col("affiliateId", "text"), trunc("hour", "hour", "createdAt")],
    values: [count],
    indexes: [["hour"]],
    time: { column: "hour", retentionDays: null },
  },
  {
    table: "rollup_affiliate_day_commissions",
    source: "commissions",
    keys: [col("affiliateId", "text"), day("createdAt"), col("offerId", "text"), col("currency", "char(3)"), col("status", `"CommissionStatus"`), col("kind", `"CommissionKind"`)],
    values: [count, { name: "amountMinor", type: "bigint", expr: `r."amountMinor"` }],
    time: { column: "day", retentionDays: null },
  },
  {
    table: "rollup_offer_day_commissions",
    source: "commissions",
    keys: [col("offerId", "text"), day("createdAt"), col("currency", "char(3)"), col("status", `"CommissionStatus"`)],
    values: [count, { name: "amountMinor", type: "bigint", expr: `r."amountMinor"` }],
    time: { column: "day", retentionDays: null },
  },
  {
    // The credit report: sales per (day, paid affiliate, touch path), from credit_facts (below).
    table: "rollup_credit_day",
    source: "credit_facts",
    keys: [col("day", "date"), col("payee", "text"), col("path", "text[]"), col("commissionCurrency", "char(3)"), col("saleCurrency", "char(3)")],
    values: [count, { name: "commissionMinor", type: "bigint", expr: `r."commissionMinor"` }, { name: "saleMinor", type: "bigint", expr: `r."saleMinor"` }],
    time: { column: "day", retentionDays: null },
  },
  {
    // The same by week (Monday): a period's whole weeks read from here, its edge days from the daily rollup.
    table: "rollup_credit_week",
    source: "credit_facts",
    keys: [{ name: "week", type: "date", expr: `date_trunc('week', r."day"::timestamp)::date` }, col("payee", "text"), col("path", "text[]"), col("commissionCurrency", "char(3)"), col("saleCurrency", "char(3)")],
    values: [count, { name: "commissionMinor", type: "bigint", expr: `r."commissionMinor"` }, { name: "saleMinor", type: "bigint", expr: `r."saleMinor"` }],
    time: { column: "week", retentionDays: null },
  },
];

// ---- Credit facts ----
// A sale counts in the credit report while it is not refunded and its commission is not reversed: a fact of two
// rows (the conversion and its COMMISSION), changed by statements on either, sometimes both in one statement (a
// postback inserts both). `credit_facts` holds one row per counting sale, refreshed from both tables' triggers for
// the sales a statement touched: the refresh deletes the stored fact and inserts the current one, so whichever
// trigger runs second changes nothing in sum, and the generic triggers on credit_facts turn each change into
// rollup deltas.

/** The facts as they should be, from conversions and commissions (the refresh's source and the rebuild's truth). */
export const EXPECTED_CREDIT_FACTS = `SELECT v.id AS "conversionId", (v."createdAt" AT TIME ZONE 'UTC')::date AS day, v."affiliateId" AS payee,
       ARRAY(SELECT e.touch->>'affiliateId' FROM jsonb_array_elements(v."touchPath") WITH ORDINALITY AS e(touch, i) ORDER BY e.i) AS path,
       k.currency AS "commissionCurrency", k."amountMinor"::bigint AS "commissionMinor", v.currency AS "saleCurrency", v."amountMinor"::bigint AS "saleMinor"
FROM conversions v JOIN commissions k ON k."conversionId" = v.id AND k.kind = 'COMMISSION' AND k.status <> 'REVERSED'
WHERE v.status <> 'REFUNDED'`;

const CREDIT_FACT_COLUMNS = `"conversionId", day, payee, path, "commissionCurrency", "commissionMinor", "saleCurrency", "saleMinor"`;

/**
 * Which sales a statement touched, per source and operation. An update counts only where a column the fact reads
 * changed: the old and new versions of each row are grouped by those columns, and a group whose signs do not cancel
 * differs — a hash aggregate over both transition tables (a join of the two, which have no statistics, can be
 * planned as a nested loop: minutes for a payout's 30,000 commissions).
 */
const changedSql = (columns: string[], idColumn: string) => {
  const select = columns.map((c, i) => `${c} AS c${i}`).join(", ");
  const names = columns.map((_, i) => `c${i}`).join(", ");
  return `SELECT DISTINCT c${columns.indexOf(idColumn)} FROM (
      SELECT 1 AS sign, ${select} FROM new_rows UNION ALL SELECT -1, ${select} FROM old_rows
    ) t GROUP BY ${names} HAVING sum(sign) <> 0`;
};

const CREDIT_TOUCHED: Record<"conversions" | "commissions", Record<Op, string>> = {
  conversions: {
    INSERT: `SELECT id FROM new_rows`,
    DELETE: `SELECT id FROM old_rows`,
    UPDATE: changedSql(["id", `status = 'REFUNDED'`, `"amountMinor"`, "currency", `"touchPath"`, `"affiliateId"`, `"createdAt"`], "id"),
  },
  commissions: {
    INSERT: `SELECT "conversionId" FROM new_rows WHERE kind = 'COMMISSION'`,
    DELETE: `SELECT "conversionId" FROM old_rows WHERE kind = 'COMMISSION'`,
    // Every version that is or was a COMMISSION: an adjustment's changes never move a sale's credit.
    UPDATE: changedSql([`"conversionId"`, "id", `kind = 'COMMISSION' AND status <> 'REVERSED'`, `kind = 'COMMISSION'`, `"amountMinor"`, "currency"], `"conversionId"`),
  },
};

function creditSql(): string {
  const parts = [
    `CREATE TABLE credit_facts (
  "conversionId" text PRIMARY KEY,
  day date NOT NULL,
  payee text NOT NULL,
  path text[] NOT NULL,
  "commissionCurrency" char(3) NOT NULL,
  "commissionMinor" bigint NOT NULL,
  "saleCurrency" char(3) NOT NULL,
  "saleMinor" bigint NOT NULL
);`,
    // Two statements: a unique key deleted and inserted again by one statement conflicts with itself when an
    // earlier statement of the transaction wrote it (the postback's conversion trigger, then its commission's).
    // IN (SELECT unnest(ids)), not = ANY(ids): a semi-join the planner can hash or probe by index, where a
    // parameter array is compared element by element with every row (a bulk statement's 200,000 ids).
    `CREATE FUNCTION refresh_credit_facts(ids text[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM credit_facts WHERE "conversionId" IN (SELECT unnest(ids));
  INSERT INTO credit_facts (${CREDIT_FACT_COLUMNS})
  SELECT * FROM (${EXPECTED_CREDIT_FACTS}) f WHERE f."conversionId" IN (SELECT unnest(ids));
$$;`,
  ];
  for (const source of ["conversions", "commissions"] as const) {
    for (const op of ["INSERT", "UPDATE", "DELETE"] as Op[]) {
      const fn = `credit_facts_from_${source}_${op.toLowerCase()}`;
      parts.push(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ids text[] := ARRAY(${CREDIT_TOUCHED[source][op]});
BEGIN
  IF cardinality(ids) > 0 THEN PERFORM refresh_credit_facts(ids); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER ${fn} AFTER ${op} ON ${source} ${REFERENCING[op]} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`);
    }
  }
  return parts.join("\n");
}

export const rollupByTable = (table: string): Rollup => {
  const rollup = ROLLUPS.find((r) => r.table === table);
  if (!rollup) throw new Error(`unknown rollup ${table}`);
  return rollup;
};

const q = (name: string) => `"${name}"`;
const keyList = (r: Rollup) => r.keys.map((k) => q(k.name)).join(", ");
const valueList = (r: Rollup) => r.values.map((v) => q(v.name)).join(", ");

/**
 * What a read selects from: the folded rows and the deltas not folded yet. Always aggregate over it (a key may have
 * a row in both).
 */
export function rollupFrom(table: string): string {
  const r = rollupByTable(table);
  const cols = `${keyList(r)}, ${valueList(r)}`;
  return `(SELECT ${cols} FROM ${r.table} UNION ALL SELECT ${cols} FROM ${r.table}_delta)`;
}

/** The keyed table and its append-only delta table. */
export function createTablesSql(r: Rollup): string {
  const columns = [...r.keys.map((k) => `${q(k.name)} ${k.type} NOT NULL`), ...r.values.map((v) => `${q(v.name)} bigint NOT NULL DEFAULT 0`)];
  return [
    `CREATE TABLE ${r.table} (\n  ${columns.join(",\n  ")},\n  PRIMARY KEY (${keyList(r)})\n);`,
    ...(r.indexes ?? []).map((cols) => `CREATE INDEX ${r.table}_${cols.join("_")}_idx ON ${r.table} (${cols.map(q).join(", ")});`),
    `CREATE TABLE ${r.table}_delta (\n  ${columns.join(",\n  ")}\n);`,
  ].join("\n");
}

/**
 * The grouped change of `rows` (a union of `(sign, source columns)`) to one rollup, as SELECT … GROUP BY: keys, then
 * the signed sums. Groups whose sums are all zero (an update that changed nothing the rollup keys on) are left out.
 */
export function groupedChangeSql(r: Rollup, rows: string, condition?: string): string {
  const keys = r.keys.map((k) => `${k.expr} AS ${q(k.name)}`).join(", ");
  const sums = r.values.map((v) => `sum(r.sign * (${v.expr}))::bigint AS ${q(v.name)}`).join(", ");
  const nonZero = r.values.map((v) => `sum(r.sign * (${v.expr})) <> 0`).join(" OR ");
  const conditions = [r.where, condition].filter(Boolean);
  const where = conditions.length ? ` WHERE ${conditions.join(" AND ")}` : "";
  return `SELECT ${keys}, ${sums} FROM ${rows} r${where} GROUP BY ${r.keys.map((_, i) => i + 1).join(", ")} HAVING ${nonZero}`;
}

type Op = "INSERT" | "UPDATE" | "DELETE";

const ROWS: Record<Op, string> = {
  INSERT: "(SELECT 1 AS sign, * FROM new_rows)",
  DELETE: "(SELECT -1 AS sign, * FROM old_rows)",
  UPDATE: "(SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows)",
};

const REFERENCING: Record<Op, string> = {
  INSERT: "REFERENCING NEW TABLE AS new_rows",
  DELETE: "REFERENCING OLD TABLE AS old_rows",
  UPDATE: "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
};

/**
 * The trigger functions and statement-level triggers that feed one source table's rollups; with `replace`, the
 * functions alone as CREATE OR REPLACE (a migration adding a rollup to a source whose triggers exist).
 */
export function triggersSql(source: SourceTable, ops: Op[], { replace = false } = {}): string {
  const rollups = ROLLUPS.filter((r) => r.source === source);
  return ops
    .map((op) => {
      const fn = `rollup_${source}_${op.toLowerCase()}`;
      const body = PRE_AGGREGATE[source]
        ? `  ${fanOutSql(source, preAggregateSql(source, ROWS[op]))};`
        : rollups.map((r) => `  ${deltaInsertSql(r, ROWS[op])};`).join("\n");
      const fnSql = `CREATE ${replace ? "OR REPLACE " : ""}FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${body}
  RETURN NULL;
END $$;`;
      return replace ? fnSql : `${fnSql}\nCREATE TRIGGER ${fn} AFTER ${op} ON ${source} ${REFERENCING[op]} FOR EACH STATEMENT EXECUTE FUNCTION ${fn}();`;
    })
    .join("\n");
}

const deltaInsertSql = (r: Rollup, rows: string) => `INSERT INTO ${r.table}_delta (${keyList(r)}, ${valueList(r)})\n  ${groupedChangeSql(r, rows)}`;

/** One statement adding pre-aggregated rows (`fine`: sign, the pre-aggregate's keys and sums) to each of a source's rollups. */
function fanOutSql(source: SourceTable, fine: string): string {
  const rollups = ROLLUPS.filter((r) => r.source === source);
  const firsts = rollups.slice(0, -1).map((r, i) => `  d${i} AS (${deltaInsertSql(r, "fine")})`);
  return `WITH fine AS MATERIALIZED ${fine},\n${firsts.join(",\n")}\n  ${deltaInsertSql(rollups.at(-1)!, "fine")}`;
}

/**
 * The click sink's own path into the rollups: `rollup_clicks_add(…)` takes a batch already grouped by the
 * pre-aggregate's keys (one array per column, in PRE_AGGREGATE's order) and appends it to every click rollup's
 * deltas. The sink COPYs into a month's partition, which has no rollup trigger (a transition table and its grouping
 * cost about a quarter of the COPY's CPU), groups the batch in memory — a batch of one busy link is a row or two —
 * and calls this in the COPY's transaction, so the rollups stay exact on that path too. Every other statement
 * names `clicks` and is counted by its triggers.
 */
export function clickBatchFunctionSql(): string {
  const pre = PRE_AGGREGATE.clicks!;
  const columns = [...pre.keys, ...pre.values];
  const arrayType = (c: Column) => (c.type.startsWith("timestamptz") ? "timestamptz" : c.type);
  const params = columns.map((c) => `${arrayType(c)}[]`).join(", ");
  const fine = `(SELECT 1 AS sign, * FROM unnest(${columns.map((_, i) => `$${i + 1}`).join(", ")}) AS r(${columns.map((c) => q(c.name)).join(", ")}))`;
  return `CREATE OR REPLACE FUNCTION rollup_clicks_add(${params}) RETURNS void LANGUAGE sql AS $$
  ${fanOutSql("clicks", fine)};
$$;`;
}

/** A source's rows (`(sign, columns)`) grouped by its pre-aggregate's keys: signed sums, sign 1. */
function preAggregateSql(source: SourceTable, rows: string): string {
  const pre = PRE_AGGREGATE[source]!;
  const keys = pre.keys.map((k) => `${k.expr} AS ${q(k.name)}`).join(", ");
  const sums = pre.values.map((v) => `sum(r.sign * (${v.expr}))::bigint AS ${q(v.name)}`).join(", ");
  return `(SELECT 1 AS sign, ${keys}, ${sums} FROM ${rows} r GROUP BY ${pre.keys.map((_, i) => i + 2).join(", ")})`;
}

/** The rollup computed from the raw facts (the rebuild's truth), as SELECT keys, sums. */
export function rawAggregateSql(r: Rollup, since: string | null): string {
  const timeKey = r.keys.find((k) => k.name === r.time.column)!;
  const all = `(SELECT 1 AS sign, * FROM ${r.source})`;
  const rows = PRE_AGGREGATE[r.source] ? preAggregateSql(r.source, all) : all;
  return groupedChangeSql(r, rows, since ? `${timeKey.expr} >= ${since}` : undefined);
}

/** Folds the deltas into the keyed rows (run in one transaction for every rollup). */
export function compactSql(r: Rollup): string {
  const values = r.values.map((v) => q(v.name));
  return `WITH moved AS (DELETE FROM ${r.table}_delta RETURNING *)
INSERT INTO ${r.table} (${keyList(r)}, ${values.join(", ")})
SELECT ${keyList(r)}, ${values.map((v) => `sum(${v})`).join(", ")} FROM moved GROUP BY ${keyList(r)}
ON CONFLICT (${keyList(r)}) DO UPDATE SET ${values.map((v) => `${v} = ${r.table}.${v} + EXCLUDED.${v}`).join(", ")}`;
}

/** A migration adding `table`, a rollup of the credit facts: its tables, the facts' trigger functions, its rows. */
export function addCreditRollupSql(table: string): string {
  const r = rollupByTable(table);
  return [
    `-- ${table}, kept by the credit facts' triggers (server/reporting/rollups.ts printed this).`,
    // Writers of credit_facts wait for this transaction (reads go on): a fact committed between the backfill's
    // snapshot and the new trigger functions would otherwise be in neither. The backfill is one grouped pass.
    "LOCK TABLE credit_facts IN SHARE MODE;",
    createTablesSql(r),
    triggersSql("credit_facts", ["INSERT", "DELETE"], { replace: true }),
    `INSERT INTO ${r.table} (${keyList(r)}, ${valueList(r)})\n${rawAggregateSql(r, null)};`,
  ].join("\n\n") + "\n";
}

/** The whole migration: tables, triggers, and the rollups of the facts already stored. */
export function migrationSql(): string {
  const parts = ["-- Rollups kept by triggers on the write path (server/reporting/rollups.ts printed this)."];
  for (const r of ROLLUPS) parts.push(createTablesSql(r));
  parts.push(triggersSql("clicks", ["INSERT", "DELETE"]));
  // The click sink copies into the month's partition directly (a COPY into the partitioned table would insert row by
  // row, because of the trigger above): each partition had the insert trigger too, until 20261204400000 moved that
  // path to rollup_clicks_add(). A statement fires the triggers of the table it names only.
  parts.push(`DO $$
DECLARE part regclass;
BEGIN
  FOR part IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'clicks'::regclass LOOP
    EXECUTE format('CREATE TRIGGER rollup_clicks_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION rollup_clicks_insert()', part);
  END LOOP;
END $$;`);
  parts.push(triggersSql("conversions", ["INSERT", "UPDATE", "DELETE"]));
  parts.push(triggersSql("commissions", ["INSERT", "UPDATE", "DELETE"]));
  parts.push(creditSql());
  parts.push(triggersSql("credit_facts", ["INSERT", "DELETE"]));
  parts.push("-- What is already stored (the credit facts' own triggers fill their rollup's deltas).");
  for (const r of ROLLUPS.filter((r) => r.source !== "credit_facts")) parts.push(`INSERT INTO ${r.table} (${keyList(r)}, ${valueList(r)})\n${rawAggregateSql(r, null)};`);
  parts.push(`INSERT INTO credit_facts (${CREDIT_FACT_COLUMNS})\n${EXPECTED_CREDIT_FACTS};`);
  return parts.join("\n\n") + "\n";
}
