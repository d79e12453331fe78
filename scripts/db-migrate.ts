// npm run db:migrate — applies pending migrations (to DATABASE_URL, or the embedded database when unset).
import { bootstrap } from "../server/bootstrap";
import { MigrationError } from "../server/db/migrate";

try {
  const { localPostgres } = await bootstrap({ checkAppEnv: false });
  await localPostgres?.stop();
} catch (error) {
  console.error(error instanceof MigrationError ? `Migration refused: ${error.message}` : error);
  process.exit(1);
}
