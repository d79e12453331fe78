// npm run db:rebuild-rollups [-- --check]: recomputes every rollup from the raw facts, reports each difference and
// corrects it (with --check, only reports; exit code 1 when anything differs). Safe while the app serves traffic.
import pg from "pg";
import { compactRollups } from "../server/reporting/compactor";
import { checkRollups } from "../server/reporting/rebuild";
import { bootstrap } from "../server/bootstrap";

const checkOnly = process.argv.includes("--check");
const { databaseUrl, localPostgres } = await bootstrap({ checkAppEnv: false });
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
try {
  const started = Date.now();
  const differences = await checkRollups(pool, { fix: !checkOnly });
  await compactRollups(pool);
  for (const d of differences) {
    console.log(`[rollups] ${d.table}: ${d.keys} key(s) differed from the raw facts${checkOnly ? "" : " (corrected)"}; e.g. ${JSON.stringify(d.samples.slice(0, 3))}`);
  }
  const verdict = differences.length === 0 ? "every rollup equals the raw facts" : `${differences.length} rollup(s) differed${checkOnly ? "" : " and were corrected"}`;
  console.log(`[rollups] ${verdict} (${Date.now() - started} ms)`);
  process.exitCode = checkOnly && differences.length > 0 ? 1 : 0;
} finally {
  await pool.end();
  await localPostgres?.stop();
}
