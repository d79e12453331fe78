// The payout job in every server process: finishes attaching paid payouts' commissions (marking them PAID) when a
// settlement's own pass did not get to the end (a crash, a restart). SKIP LOCKED: servers share the work.
import { getPool } from "../db";
import { onShutdown } from "../lifecycle";
import { attachPaidCommissions } from "./runs";
import { errorLine } from "../log";

export function startPayoutJob({ intervalMs = 60_000 } = {}) {
  let running: Promise<unknown> | null = null;
  const runOnce = () =>
    (running ??= attachPaidCommissions(getPool())
      .catch((error) => errorLine(`[payouts] attaching paid commissions failed (retried next round): ${(error as Error).message}`))
      .finally(() => {
        running = null;
      }));
  const timer = setInterval(() => void runOnce(), intervalMs);
  timer.unref();
  onShutdown(
    "payout job",
    async () => {
      clearInterval(timer);
      await running;
    },
    50,
  );
}
