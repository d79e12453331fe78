// Prints rollup SQL from server/reporting/rollups.ts for a migration: by default the rollups' tables, triggers and
// backfill (20261204110000_rollups); with `click-batch`, the click sink's rollup_clicks_add() (20261204400000).
import { clickBatchFunctionSql, migrationSql } from "../server/reporting/rollups";

process.stdout.write(process.argv[2] === "click-batch" ? `${clickBatchFunctionSql()}\n` : migrationSql());
