// Postbacks as the server starts them: the /api/postback hot route and the job that approves commissions whose
// holding period has ended (stopped by the shutdown hooks).
import { getPool } from "../db";
import { env } from "../env";
import type { HotRoute } from "../http/types";
import { startApprovalJob } from "./approval";
import { postbackRoute } from "./http";

export function startPostbacks(): HotRoute[] {
  startApprovalJob({ pool: getPool() });
  return [postbackRoute(undefined, env().TRUST_PROXY)];
}
