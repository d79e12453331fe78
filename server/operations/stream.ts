// The operations report as a subscription: the monitor's latest report at once, then each new one (about once a
// second). A subscriber that cannot keep up only ever gets the newest report.
import type { OpsMonitor } from "./monitor";
import type { OpsReport } from "./types";

export async function* opsReports(monitor: OpsMonitor, signal: AbortSignal | undefined): AsyncGenerator<OpsReport> {
  let latest: OpsReport | null = monitor.report;
  let wake: (() => void) | null = null;
  const unsubscribe = monitor.subscribe((report) => {
    latest = report;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    while (!signal?.aborted) {
      if (latest) {
        const report: OpsReport = latest;
        latest = null;
        yield report;
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}
