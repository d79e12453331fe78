// The payout downloads behind app/api/payouts/*: who may download what, and the streamed CSV response. Managers get
// batch and run files; an affiliate gets statements of their own payouts only.
import { getSession } from "../auth/session";
import { getPool } from "../db";
import { programSettings } from "../program/settings";
import { PayoutError } from "./errors";
import { batchFile, csvResponse, runFile, statementFile } from "./export";

const STATUS = { not_found: 404, wrong_status: 409, nothing_to_pay: 409, bad_file: 400, invalid: 400 } as const;

async function answer(role: "MANAGER" | "AFFILIATE", work: (session: NonNullable<Awaited<ReturnType<typeof getSession>>>) => Promise<Response>): Promise<Response> {
  const session = await getSession();
  if (!session) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (session.user.role !== role) return Response.json({ error: "Not allowed." }, { status: 403 });
  try {
    return await work(session);
  } catch (error) {
    if (error instanceof PayoutError) return Response.json({ error: error.message }, { status: STATUS[error.code] });
    throw error;
  }
}

export const downloadBatch = (batchId: string, url: URL) =>
  answer("MANAGER", async () => {
    const part = Number(url.searchParams.get("part") ?? "1");
    const { name } = await programSettings();
    return csvResponse(await batchFile(getPool(), batchId, part, name));
  });

export const downloadRun = (runId: string) => answer("MANAGER", async () => csvResponse(await runFile(getPool(), runId)));

export const downloadStatement = (payoutId: string) =>
  answer("AFFILIATE", async (session) => csvResponse(await statementFile(getPool(), session.user.affiliateId ?? "", payoutId)));
