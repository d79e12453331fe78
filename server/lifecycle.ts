// Ordered shutdown: what a module must finish before the process exits (flush the click buffer, stop the relay)
// registers here; the server calls `shutdown()` once on SIGTERM/SIGINT after it stops accepting requests.
import { logLine } from "./log";

type Hook = { name: string; order: number; run: () => Promise<void> | void };

const hooks: Hook[] = [];

/** Lower `order` runs first: 0 producers (flush buffers), 50 workers, 100 the database itself. */
export function onShutdown(name: string, run: Hook["run"], order = 0): void {
  hooks.push({ name, order, run });
}

let running: Promise<void> | undefined;

export function shutdown(log: (line: string) => void = logLine): Promise<void> {
  running ??= (async () => {
    for (const hook of [...hooks].sort((a, b) => a.order - b.order)) {
      try {
        await hook.run();
      } catch (error) {
        log(`[shutdown] ${hook.name} failed: ${(error as Error).message}`);
      }
    }
  })();
  return running;
}
