// The hot routes our server answers itself, and the background work they need (caches, buffers, workers).
// Each feature module adds its routes here; `startHotPaths` runs once at boot, after migrations.
import { startPostbacks } from "../conversions";
import { startFraudEngine } from "../fraud";
import { startClickTracking } from "../tracking";
import { metrics } from "./metrics";
import type { HotRoute } from "./types";

export async function startHotPaths(): Promise<HotRoute[]> {
  const clicks = await startClickTracking();
  await startFraudEngine(); // before postbacks are served: conversions are judged with rebuilt counters
  return [...clicks.routes, ...startPostbacks(), { prefix: "/metrics", methods: ["GET"], handle: metrics }];
}
