// Postbacks as the server starts them: the /api/postback hot route and the job that approves commissions whose
// holding period has ended, both on the postback pool (its time limits bound the job's statements too), all stopped
// by the shutdown hooks — the pool after the requests and the job it served.
import { env } from "../env";
import type { HotRoute } from "../http/types";
import { onShutdown } from "../lifecycle";
import { startApprovalJob } from "./approval";
import { postbackRoute } from "./http";
import { closePostbackPool, postbackPool } from "./pool";

export function startPostbacks(): HotRoute[] {
  startApprovalJob({ pool: postbackPool() });
  onShutdown("postback pool", closePostbackPool, 90);
  return [postbackRoute(undefined, env().TRUST_PROXY)];
}
