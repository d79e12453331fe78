// Every payout of a run, every lane, as one streamed CSV.
import { downloadRun } from "~/server/payouts/downloads";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  return downloadRun((await params).runId);
}
