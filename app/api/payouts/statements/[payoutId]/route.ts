// The signed-in affiliate's statement of one payout, commission by commission, streamed.
import { downloadStatement } from "~/server/payouts/downloads";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ payoutId: string }> }) {
  return downloadStatement((await params).payoutId);
}
