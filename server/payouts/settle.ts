// Settling a lane from the provider's result file: parse (./result-file.ts), then one set-based settlement.
import type pg from "pg";
import { parseResultFile } from "./result-file";
import { settlePayouts } from "./runs";

export async function importResultFile(pool: Pick<pg.Pool, "connect" | "query">, batchId: string, csv: string, actorId: string) {
  const { settlements, waiting } = parseResultFile(csv);
  const result = settlements.length ? await settlePayouts(pool, batchId, settlements, actorId) : { paid: 0, failed: 0 };
  return { ...result, waiting };
}
