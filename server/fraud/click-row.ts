// The conversion's click, when this process never counted it: a postback often reaches another instance than the
// one that served the click, or arrives days later (attribution windows run up to 30 days), long after memory. The
// click's row is then read by primary key — one index probe, on the postback's own connection — so the bot,
// automated-browser, block-list and own-IP checks on the click still run. Velocity at click time cannot be
// recovered from one row: the velocity rule skips such clicks.
import type { Queryable } from "../conversions/store";
import { statement } from "../conversions/store";
import type { FraudEngine } from "./engine";
import type { ConversionCandidate, FraudVerdict, StoredClick } from "./types";

const CLICK_ROW_SQL = `SELECT "createdAt" AS at, ip, "userAgent", "isBot" FROM clicks WHERE id = $1`;

/** The click's row, or null when it was never written (the click id is signed, so the row may not exist). */
export async function readClickRow(db: Queryable, clickId: string): Promise<StoredClick | null> {
  const result = await db.query<StoredClick>(statement(CLICK_ROW_SQL, [clickId], "fraud_click_row"));
  return result.rows[0] ?? null;
}

/**
 * Evaluates from memory when this process counted the click (synchronously), else after reading the click's row
 * from `db`. Without `db` the unknown click is judged on what the candidate carries.
 */
export function evaluateWithClickRow(engine: FraudEngine, candidate: ConversionCandidate, db?: Queryable): FraudVerdict | Promise<FraudVerdict> {
  if (!db || !engine.needsClickRow(candidate.clickId)) return engine.evaluate(candidate);
  return readClickRow(db, candidate.clickId).then((row) => engine.evaluate(candidate, row));
}
