// The live stream of this process: the hub reading live_events, the per-second click summaries and the operations
// monitor, started with the hot paths and stopped by the shutdown hooks. One slot on globalThis, so Next's bundled
// copy of the routers (live.recent, live.today) finds our server's hub.
import type pg from "pg";
import { onShutdown } from "../lifecycle";
import { OpsMonitor } from "../operations/monitor";
import { ClickSummaries } from "./clicks";
import { LiveHub } from "./hub";

export interface LiveService {
  hub: LiveHub;
  clicks: ClickSummaries;
  monitor: OpsMonitor;
  stop(): Promise<void>;
}

const shared = globalThis as unknown as { __live?: LiveService };

export const liveService = (): LiveService | undefined => shared.__live;

export async function startLive({ pool, databaseUrl, main = true }: { pool: pg.Pool; databaseUrl: string; main?: boolean }): Promise<LiveService> {
  const hub = await new LiveHub({ pool, databaseUrl }).start();
  const clicks = new ClickSummaries(pool).start();
  const monitor = new OpsMonitor({ databaseUrl, hub }).start();
  const service: LiveService = {
    hub,
    clicks,
    monitor,
    stop: async () => {
      await clicks.stop().catch(() => {});
      await monitor.stop();
      await hub.stop();
    },
  };
  if (main) {
    shared.__live = service;
    onShutdown("live stream", service.stop, 60);
  }
  return service;
}
