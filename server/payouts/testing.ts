// Test helpers: a run taken through every lane to the end (approve, send, every payout paid).
import { getPool } from "../db";
import { approveBatch, createPayoutRun, markBatchSent, settlePayouts } from "./runs";

export async function payRun(actorId: string, affiliateIds: string[]) {
  const pool = getPool();
  const run = await createPayoutRun(pool, { actorId, affiliateIds });
  const { rows } = await pool.query<{ id: string }>(`SELECT id FROM payout_batches WHERE "runId" = $1 AND status = 'DRAFT'`, [run.runId]);
  for (const b of rows) {
    await approveBatch(pool, b.id, actorId);
    await markBatchSent(pool, b.id, actorId);
    await settlePayouts(pool, b.id, [], actorId, { rest: "paid" });
  }
  return run;
}
