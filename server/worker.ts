// `npm run worker`: a webhook relay on its own, next to (or instead of) the relays inside the server processes.
// Same bootstrap as the server, so it works with DATABASE_URL or the embedded PostgreSQL of a local run.
import { bootstrap } from "./bootstrap";
import { shutdown, onShutdown } from "./lifecycle";
import { startWebhookRelay } from "./webhooks/start";

async function main() {
  const { localPostgres } = await bootstrap({ log: (line) => console.log(line) });
  if (localPostgres) onShutdown("embedded postgres", localPostgres.stop, 200);
  await startWebhookRelay();
  console.log("[worker] webhook relay running; Ctrl+C to stop");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[worker] ${signal}: finishing in-flight deliveries…`);
    await shutdown();
    console.log("[worker] stopped cleanly");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  console.error(`[worker] failed to start: ${(error as Error).message}`);
  process.exit(1);
});
