// Postbacks as the server starts them: the /api/postback hot route and the job that approves commissions whose
// holding period has ended (both stopped by the shutdown hooks, the postback pool after the requests it served).
import { getPool } from "../db";
import { env } from "../env";
import type { HotRoute } from "../http/types";
import { onShutdown } from "../lifecycle";
import { startApprovalJob } from "./approval";
import { postbackRoute } from "./http";
import { closePostbackPool } from "./pool";

export function startPostbacks(): HotRoute[] {
  startApprovalJob({ pool: getPool() });
  onShutdown("postback pool", closePostbackPool, 90);
  return [postbackRoute(undefined, env().TRUST_PROXY)];
}
