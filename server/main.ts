// The process `npm start` runs: database (embedded when DATABASE_URL is unset), migrations, demo data on an empty
// database, a production build when sources changed, then our HTTP server with Next behind it.
//   --dev        Next in development mode (no build)
//   SERVE_NEXT=0 hot paths only (tests of /go and postbacks start this way)
//   SEED=auto|1|0 demo data on an empty database (see server/env.ts)
//
// SIGTERM/SIGINT at any point: the start-up finishes its current step, then the server stops accepting, finishes
// in-flight work, runs the shutdown hooks (flush clicks, stop workers, close the database) and exits. A second
// signal, or a shutdown that takes longer than SHUTDOWN_DEADLINE_MS, exits at once.
import next from "next";
import type http from "node:http";
import path from "node:path";
import { bootstrap, seedsDemoData, startupWarnings } from "./bootstrap";
import { ensureBuild } from "./build";
import { closeDb, db } from "./db";
import { env } from "./env";
import { internalMetrics } from "./http/metrics";
import { startHotPaths } from "./http/routes";
import { logger } from "./log";
import { closeServer, createAppServer } from "./http/server";
import { onShutdown, shutdown } from "./lifecycle";
import { startPayoutJob } from "./payouts/job";
import { startServerRelay } from "./webhooks/start";
import { DEMO_LOGINS, seedIfEmpty } from "../prisma/seed";

const ROOT = path.resolve(import.meta.dirname, "..");
const SHUTDOWN_DEADLINE_MS = 30_000;
const dev = process.argv.includes("--dev");
const serveNext = process.env.SERVE_NEXT !== "0";

const log = logger("server");
let server: http.Server | undefined;
let stopping = false;

async function start() {
  Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV ?? (dev ? "development" : "production") });
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  const { localPostgres } = await bootstrap();
  if (localPostgres) onShutdown("embedded postgres", localPostgres.stop, 200);
  onShutdown("database", closeDb, 100);
  const config = env();
  process.env.NEXTAUTH_URL ??= `http://localhost:${config.PORT}`;

  const seed = seedsDemoData(config.SEED, config.NODE_ENV);
  for (const warning of startupWarnings({ ...config, NEXTAUTH_URL: process.env.NEXTAUTH_URL }, { seeding: seed })) {
    logger("security").warn(`WARNING: ${warning}`);
  }
  if (seed && (await seedIfEmpty())) logger("seed").info("empty database: demo data created");
  else if (!(await db.user.findFirst({ where: { role: "MANAGER" }, select: { id: true } }))) {
    logger("setup").warn(
      `No program manager yet: run  npm run manager:create -- --email you@example.com --name "Your Name"  for a one-time link to set the first manager's password${
        localPostgres ? " (stop this server first: it owns the embedded database)" : ""
      }, or start with SEED=1 for the demo program.`,
    );
  }
  if (stopping) return;

  let nextHandler;
  if (serveNext) {
    if (!dev) ensureBuild();
    const app = next({ dev, dir: ROOT, hostname: "localhost", port: config.PORT });
    await app.prepare();
    nextHandler = app.getRequestHandler();
  }
  if (stopping) return;

  const routes = await startHotPaths();
  if (stopping) return;
  server = createAppServer({ routes, next: nextHandler });
  await startServerRelay();
  startPayoutJob();
  if (stopping) return;
  await new Promise<void>((resolve) => server!.listen(config.PORT, config.HOST, resolve));
  if (config.METRICS_PORT) {
    const internal = createAppServer({ routes: [{ prefix: "/metrics", methods: ["GET"], handle: internalMetrics }] });
    await new Promise<void>((resolve) => internal.listen(config.METRICS_PORT, config.METRICS_HOST, resolve));
    onShutdown("metrics port", () => closeServer(internal, 1_000));
  }
  const port = (server.address() as { port: number }).port;

  log.info(`Affiliate platform ready on http://localhost:${port}${dev ? " (development)" : ""}`);
  // The demo logins' emails; their password is in the README ("Demo logins"), never in a log line.
  if (serveNext && seed) log.info(`Demo logins: ${DEMO_LOGINS.emails.join(", ")}`);
}

const started = start();

async function stop(signal: string) {
  if (stopping) {
    log.warn(`${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  setTimeout(() => {
    log.error(`shutdown did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s: exiting`);
    process.exit(1);
  }, SHUTDOWN_DEADLINE_MS).unref();
  log.info(`${signal}: no new requests; finishing in-flight work…`);
  await started.catch(() => {}); // the step in progress, so its resources are registered for shutdown
  if (server?.listening) await closeServer(server);
  await shutdown();
  log.info("stopped cleanly");
  process.exit(0);
}

process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));

started.catch(async (error) => {
  log.fatal(`failed to start: ${(error as Error).message}`);
  await shutdown(() => {}); // stop what did start (the embedded database)
  process.exit(1);
});
