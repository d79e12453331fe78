// Many rows in one statement: `INSERT … SELECT FROM unnest($1::text[], $2::int4[], …)` sends one array per column,
// so 10,000 rows are one round trip with a fixed number of parameters (a multi-row VALUES list would need
// rows × columns parameters and hit PostgreSQL's 65,535 limit).
import type pg from "pg";

/** Column name → PostgreSQL type of one value (`text`, `int4`, `timestamptz`, `jsonb`, `"Role"` for an enum). */
export type ColumnTypes<Row> = { [K in keyof Row]?: string };

export async function bulkInsert<Row extends object>(
  client: pg.ClientBase | pg.Pool,
  table: string,
  columns: ColumnTypes<Row>,
  rows: Row[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const names = Object.keys(columns) as Array<keyof Row & string>;
  const params = names.map((name) => {
    const json = columns[name] === "jsonb";
    // Arrays of objects would be written as composite literals: jsonb values go as JSON text.
    return rows.map((row) => {
      const value = row[name] ?? null;
      return json && value !== null ? JSON.stringify(value) : value;
    });
  });
  const list = names.map((n) => `"${n}"`).join(", ");
  const arrays = names.map((n, i) => `$${i + 1}::${columns[n]}[]`).join(", ");
  const result = await client.query(`INSERT INTO "${table}" (${list}) SELECT * FROM unnest(${arrays})`, params);
  return result.rowCount ?? 0;
}
