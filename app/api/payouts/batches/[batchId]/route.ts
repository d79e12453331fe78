// A lane's provider file (PayPal / Wise / bank CSV), streamed; ?part=N for PayPal's and Wise's row limits.
import { downloadBatch } from "~/server/payouts/downloads";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ batchId: string }> }) {
  return downloadBatch((await params).batchId, new URL(request.url));
}
