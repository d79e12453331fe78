// Prints rollup SQL from server/reporting/rollups.ts for a migration: by default the rollups' tables, triggers and
// backfill (20261204110000_rollups); `click-batch`: the click sink's rollup_clicks_add() (20261204400000);
// `credit-rollup <table>`: a rollup of the credit facts added later (20261208000200 rollup_credit_week).
import { addCreditRollupSql, clickBatchFunctionSql, migrationSql } from "../server/reporting/rollups";

const [mode, table] = process.argv.slice(2);
process.stdout.write(mode === "click-batch" ? `${clickBatchFunctionSql()}\n` : mode === "credit-rollup" ? addCreditRollupSql(table!) : migrationSql());
