// npm run bench:sink — PostgreSQL's cost per stored click for the click sink's two statements, side by side on one
// fresh database: the COPY a batch is first written with, and the INSERT … unnest … ON CONFLICT DO NOTHING of a
// retry (pgClickWriter with and without `mayExist`), each into today's `clicks` (partitioned by month, with the
// rollup triggers) and into `clicks_before`: the table as it was before (one table, no triggers), so the cost of
// partitioning and rollups is measured in the same run. Batches of 400 clicks (20 ms of a 20k clicks/s link), 150
// per round after 20 of warm-up, alternating rounds. Figures go to bench/RESULTS.md, section "Click sink". Goal:
// COPY into today's table ≤ 1.10 × COPY into the table before.
import pg from "pg";
import { ensureLocalSecrets } from "../server/local-secrets";
import { pgClickWriter } from "../server/tracking/click-writer";
import type { ClickRecord } from "../server/tracking/redirect";
import { postgresSeconds } from "./lib/cpu";
import { benchDatabase, machine, stamp, writeSection } from "./lib/report";

const SECTION = "## Click sink";
const BATCH = 400;
const BATCHES = 150;
const ROUNDS = 4;
const GOAL = 1.1;
const UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let seq = 0;
function batch(): ClickRecord[] {
  const at = Date.now();
  return Array.from({ length: BATCH }, () => {
    const n = seq++;
    return {
      clickId: `bench-${String(n).padStart(24, "0")}`, linkId: 1, affiliateId: "a-bench", offerId: "o-bench", at,
      ip: `86.${1 + (n % 250)}.${(n >> 8) % 250}.${(n >> 16) % 250}`, userAgent: UA, referer: null,
      sub1: "bench", sub2: "spring", sub3: null, sub4: null, sub5: null, billable: true, isBot: false, isRepeat: false,
    };
  });
}

async function main() {
  ensureLocalSecrets();
  const db = await benchDatabase("bench_sink");
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    if (db.postmaster === null) throw new Error("bench:sink measures its own embedded PostgreSQL: run it without DATABASE_URL");
    // The table before partitioning and rollups (migrations up to 20261202070000): same columns, keys and indexes.
    await pool.query(`CREATE TABLE clicks_before (LIKE clicks INCLUDING DEFAULTS)`);
    await pool.query(`ALTER TABLE clicks_before ADD PRIMARY KEY (id)`);
    await pool.query(`CREATE INDEX ON clicks_before USING BRIN ("createdAt" timestamptz_minmax_ops)`);
    await pool.query(`CREATE INDEX ON clicks_before ("affiliateId", "createdAt")`);
    await pool.query(`CREATE INDEX ON clicks_before ("linkId", "createdAt")`);
    const now = pgClickWriter(pool);
    const before = pgClickWriter(pool, { table: "clicks_before" });
    // This month's partition written without the batch's rollup deltas: what partitioning alone costs.
    const { rows: parts } = await pool.query<{ name: string }>(`SELECT format('clicks_p%s', to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM')) AS name`);
    const partitionOnly = pgClickWriter(pool, { table: parts[0]!.name });
    const sides = [
      { name: "COPY into clicks (partitioned, rollup triggers)", write: (b: ClickRecord[]) => now(b), pgUs: 0, nodeUs: 0, rows: 0 },
      { name: "COPY into the table before (one table, no triggers)", write: (b: ClickRecord[]) => before(b), pgUs: 0, nodeUs: 0, rows: 0 },
      { name: "COPY into this month's partition alone (no rollup deltas)", write: (b: ClickRecord[]) => partitionOnly(b), pgUs: 0, nodeUs: 0, rows: 0 },
      { name: "INSERT … ON CONFLICT DO NOTHING into clicks (a retry)", write: (b: ClickRecord[]) => now(b, { mayExist: true }), pgUs: 0, nodeUs: 0, rows: 0 },
      { name: "INSERT … ON CONFLICT DO NOTHING into the table before", write: (b: ClickRecord[]) => before(b, { mayExist: true }), pgUs: 0, nodeUs: 0, rows: 0 },
    ];
    for (const side of sides) for (let i = 0; i < 20; i++) await side.write(batch());
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const batches = Array.from({ length: BATCHES }, batch);
        const pg0 = postgresSeconds(db.postmaster)!;
        const cpu0 = process.cpuUsage();
        for (const b of batches) await side.write(b);
        const cpu = process.cpuUsage(cpu0);
        side.pgUs += (postgresSeconds(db.postmaster)! - pg0) * 1e6;
        side.nodeUs += cpu.user + cpu.system;
        side.rows += BATCH * BATCHES;
      }
    }
    const perClick = (side: (typeof sides)[number]) => side.pgUs / side.rows;
    const ratio = perClick(sides[0]!) / perClick(sides[1]!);
    const report = [
      SECTION,
      "",
      `Measured ${stamp()} on ${machine()}.`,
      `pgClickWriter into a fresh, migrated database (each table with its primary key, BRIN and two b-tree indexes), batches of ${BATCH} clicks, ` +
        `${ROUNDS} alternating rounds of ${BATCHES} batches per statement after 20 of warm-up. CPU from /proc: PostgreSQL's processes, and this process building and sending the batches.`,
      "",
      "| statement | PostgreSQL CPU per click (µs) | Node CPU per click (µs) | clicks |",
      "| --- | ---: | ---: | ---: |",
      ...sides.map((s) => `| ${s.name} | ${(s.pgUs / s.rows).toFixed(1)} | ${(s.nodeUs / s.rows).toFixed(1)} | ${s.rows.toLocaleString("en")} |`),
      "",
      `- PostgreSQL's CPU per click, COPY / INSERT (today's table): **${(perClick(sides[0]!) / perClick(sides[3]!)).toFixed(2)}**.`,
      `- Of which partitioning (this month's partition alone / the table before): **${(perClick(sides[2]!) / perClick(sides[1]!)).toFixed(2)}**; the batch's rollup deltas: the rest.`,
      `- COPY into today's table / into the table before: **${ratio.toFixed(2)}** (goal ≤ ${GOAL}: ${ratio <= GOAL ? "met" : "NOT met"}); node's CPU per click is the same statement either way.`,
      "",
    ].join("\n");
    console.log(`\n${report}`);
    writeSection(SECTION, report);
    console.log(`sink: COPY ${perClick(sides[0]!).toFixed(1)} µs of PostgreSQL CPU per click, ${ratio.toFixed(2)}× the table before (goal ≤ ${GOAL}: ${ratio <= GOAL ? "met" : "NOT met"})`);
  } finally {
    await pool.end();
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
