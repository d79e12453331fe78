// The hot routes our server answers itself, and the background work they need (caches, buffers, workers).
// Each feature module adds its routes here; `startHotPaths` runs once at boot, after migrations.
import type { HotRoute } from "./types";

export async function startHotPaths(): Promise<HotRoute[]> {
  return [];
}
