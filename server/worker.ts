// `npm run worker`: a webhook relay on its own, next to (or instead of) the relays inside the server processes.
// Same bootstrap as the server, so it works with DATABASE_URL or the embedded PostgreSQL of a local run.
import { bootstrap } from "./bootstrap";
import { shutdown, onShutdown } from "./lifecycle";
import { logger } from "./log";
import { startWebhookRelay } from "./webhooks/start";

const log = logger("worker");

async function main() {
  const { localPostgres } = await bootstrap();
  if (localPostgres) onShutdown("embedded postgres", localPostgres.stop, 200);
  await startWebhookRelay();
  log.info("webhook relay running; Ctrl+C to stop");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing in-flight deliveries…`);
    await shutdown();
    log.info("stopped cleanly");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  log.fatal(`failed to start: ${(error as Error).message}`);
  process.exit(1);
});
