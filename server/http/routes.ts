// The hot routes our server answers itself, and the background work they need (caches, buffers, workers).
// Each feature module adds its routes here; `startHotPaths` runs once at boot, after migrations.
import client from "prom-client";
import { startPostbacks } from "../conversions";
import { getPool } from "../db";
import { env } from "../env";
import { startFraudEngine } from "../fraud";
import { startLive } from "../live";
import { liveStreamRoute } from "../live/route";
import { startCompactor } from "../reporting/compactor";
import { startLogRetention } from "../security/retention";
import { startClickTracking } from "../tracking";
import { startClickPartitionMaintenance } from "../tracking/click-partitions";
import { metrics } from "./metrics";
import type { HotRoute } from "./types";

export async function startHotPaths(): Promise<HotRoute[]> {
  // The process itself: CPU, memory, event-loop lag, garbage-collection pauses (what a slow p99 comes from).
  if (!client.register.getSingleMetric("process_cpu_user_seconds_total")) client.collectDefaultMetrics();
  await startClickPartitionMaintenance(); // months ahead exist before the first click is written
  const clicks = await startClickTracking();
  await startFraudEngine(); // before postbacks are served: conversions are judged with rebuilt counters
  startCompactor();
  startLogRetention(getPool());
  const postbacks = startPostbacks();
  await startLive({ pool: getPool(), databaseUrl: env().DATABASE_URL });
  return [...clicks.routes, ...postbacks, liveStreamRoute(), { prefix: "/metrics", methods: ["GET"], handle: metrics }];
}
