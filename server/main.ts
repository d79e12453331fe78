// The process `npm start` runs: database (embedded when DATABASE_URL is unset), migrations, demo data on an empty
// database, a production build when sources changed, then our HTTP server with Next behind it.
//   --dev        Next in development mode (no build)
//   SERVE_NEXT=0 hot paths only (tests of /go and postbacks start this way)
//   SEED=0       never seed
import next from "next";
import path from "node:path";
import { bootstrap } from "./bootstrap";
import { ensureBuild } from "./build";
import { closeDb } from "./db";
import { env } from "./env";
import { startHotPaths } from "./http/routes";
import { closeServer, createAppServer } from "./http/server";
import { onShutdown, shutdown } from "./lifecycle";
import { startServerRelay } from "./webhooks/start";
import { DEMO_LOGINS, seedIfEmpty } from "../prisma/seed";

const ROOT = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
const serveNext = process.env.SERVE_NEXT !== "0";

async function main() {
  Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV ?? (dev ? "development" : "production") });
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const { localPostgres } = await bootstrap();
  const config = env();
  process.env.NEXTAUTH_URL ??= `http://localhost:${config.PORT}`;

  if (process.env.SEED !== "0" && (await seedIfEmpty())) console.log("[seed] empty database: demo data created");

  let nextHandler;
  if (serveNext) {
    if (!dev) ensureBuild();
    const app = next({ dev, dir: ROOT, hostname: "localhost", port: config.PORT });
    await app.prepare();
    nextHandler = app.getRequestHandler();
  }

  const server = createAppServer({ routes: await startHotPaths(), next: nextHandler });
  await startServerRelay();
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve));
  const port = (server.address() as { port: number }).port;
  onShutdown("database", closeDb, 100);
  if (localPostgres) onShutdown("embedded postgres", localPostgres.stop, 200);

  console.log(`\nAffiliate platform ready on http://localhost:${port}${dev ? " (development)" : ""}`);
  if (serveNext) {
    console.log("Demo logins (password: " + DEMO_LOGINS.password + "):");
    for (const email of DEMO_LOGINS.emails) console.log(`  ${email}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[server] ${signal}: no new requests; finishing in-flight work…`);
    await closeServer(server);
    await shutdown();
    console.log("[server] stopped cleanly");
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  console.error(`[server] failed to start: ${(error as Error).message}`);
  process.exit(1);
});
