// Prints the SQL that creates the rollups of server/reporting/rollups.ts (tables, triggers, backfill), for a migration.
import { migrationSql } from "../server/reporting/rollups";

process.stdout.write(migrationSql());
