// Payout files, streamed: rows are read in keyset pages of PAGE payouts (by payouts.number), turned into CSV by
// csv-stringify and written as they come, so memory does not grow with the run. Amounts are exact decimal strings
// from the integer minor units (server/money), never floats.
//
//   paypal   PayPal Payouts web upload: no header; recipient email, amount, currency, customer id (our reference
//            PO<number>, ≤ 30 characters, no spaces), note, wallet PAYPAL. PayPal takes ≤ 5,000 rows and one
//            currency per file: a batch is one currency, and larger batches are split into parts.
//   wise     Wise batch transfer (email or saved-recipient template): name, recipientEmail, recipientId,
//            paymentReference, receiverType, amountCurrency, amount, sourceCurrency, targetCurrency. ≤ 1,000 rows a
//            file, so parts as for PayPal.
//   bank     a bank lane: reference, holder, IBAN or account number, BIC or routing number, amount, currency.
//   run      the whole run, every lane: reference, lane, affiliate, masked details, amount, currency, status, reason.
//   statement one affiliate's payout: each commission with its conversion, amount and date.
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import type pg from "pg";
import { minorToDecimal } from "../money";
import { CLAIM } from "./claim";
import { type PayoutDetails, describeDetails } from "./details";
import { PayoutError } from "./errors";

const PAGE = 2_000;
export const ROWS_PER_FILE = { paypal: 5_000, wise: 1_000 } as const;

type Pool = Pick<pg.Pool, "query">;
export type BatchFormat = "paypal" | "wise" | "bank";

interface PayoutRow {
  number: string;
  id: string;
  affiliateId: string;
  affiliateName: string;
  recipientName: string;
  recipient: string;
  recipientDetails: Record<string, string>;
  amountMinor: string;
  currency: string;
  method: string;
  status: string;
  failureReason: string | null;
}

const PAYOUT_COLUMNS = `p.number::text, p.id, p."affiliateId", a.name AS "affiliateName", p."recipientName", p.recipient, p."recipientDetails",
  p."amountMinor"::text, p.currency, p.method, p.status, p."failureReason"`;

/** Keyset pages of payouts matching `where` (over `payouts p`), from number > after, at most `limit` rows in all. */
async function* payoutPages(pool: Pool, where: string, values: unknown[], after: bigint, limit: number): AsyncGenerator<PayoutRow> {
  let cursor = after;
  let left = limit;
  while (left > 0) {
    const n = Math.min(PAGE, left);
    const { rows } = await pool.query<PayoutRow>(
      `SELECT ${PAYOUT_COLUMNS} FROM payouts p JOIN affiliates a ON a.id = p."affiliateId"
       WHERE ${where} AND p.number > $${values.length + 1} ORDER BY p.number LIMIT ${n}`,
      [...values, cursor.toString()],
    );
    for (const row of rows) yield row;
    if (rows.length < n) return;
    cursor = BigInt(rows[rows.length - 1]!.number);
    left -= rows.length;
  }
}

const reference = (p: Pick<PayoutRow, "number">) => `PO${p.number}`;
const amount = (p: Pick<PayoutRow, "amountMinor" | "currency">) => minorToDecimal(BigInt(p.amountMinor), p.currency);

export interface CsvFile {
  filename: string;
  body: Readable;
}

/** A batch's provider file (part 1.. of ROWS_PER_FILE rows for PayPal and Wise). Refuses batches not approved. */
export async function batchFile(pool: Pool, batchId: string, part = 1, programName = "Affiliate program"): Promise<CsvFile> {
  const { rows } = await pool.query<{ method: string; currency: string; status: string; runId: string; payoutCount: number }>(
    `SELECT method, currency, status, "runId", "payoutCount" FROM payout_batches WHERE id = $1`,
    [batchId],
  );
  const batch = rows[0];
  if (!batch) throw new PayoutError("not_found", "This payout batch does not exist.");
  if (batch.status === "DRAFT" || batch.status === "CANCELLED") {
    throw new PayoutError("wrong_status", `This batch is ${batch.status.toLowerCase()}: approve it before exporting.`);
  }
  const format: BatchFormat = batch.method === "PAYPAL" ? "paypal" : batch.method === "WISE" ? "wise" : "bank";
  const perFile = format === "bank" ? Number.MAX_SAFE_INTEGER : ROWS_PER_FILE[format];
  const parts = Math.max(1, Math.ceil(batch.payoutCount / perFile));
  if (!Number.isInteger(part) || part < 1 || part > parts) throw new PayoutError("not_found", `This batch has ${parts} file${parts === 1 ? "" : "s"}.`);
  // Where part N starts: the number before its first payout (one index probe).
  let after = 0n;
  if (part > 1) {
    const start = await pool.query<{ number: string }>(
      `SELECT number::text FROM payouts WHERE "batchId" = $1 AND status <> 'CANCELLED' ORDER BY number OFFSET $2 LIMIT 1`,
      [batchId, (part - 1) * perFile - 1],
    );
    after = BigInt(start.rows[0]?.number ?? "0");
  }
  const pages = payoutPages(pool, `p."batchId" = $1 AND p.status <> 'CANCELLED'`, [batchId], after, perFile);
  const note = `${programName}: affiliate commissions`.slice(0, 400);
  const suffix = parts > 1 ? `-part${part}of${parts}` : "";
  const filename = `payouts-${format}-${batch.currency.toLowerCase()}-${batchId.slice(0, 8)}${suffix}.csv`;
  if (format === "paypal") {
    return csv(filename, pages, (p) => [p.recipient, amount(p), p.currency, reference(p), note, "PAYPAL"], { header: false });
  }
  if (format === "wise") {
    const columns = ["name", "recipientEmail", "recipientId", "paymentReference", "receiverType", "amountCurrency", "amount", "sourceCurrency", "targetCurrency"];
    return csv(filename, pages, (p) => {
      const byEmail = p.recipientDetails.scheme !== "RECIPIENT_ID";
      return [p.recipientName, byEmail ? p.recipient : "", byEmail ? "" : p.recipient, reference(p), "PRIVATE", "source", amount(p), p.currency, p.recipientDetails.targetCurrency ?? p.currency];
    }, { columns });
  }
  const columns = ["reference", "name", "iban_or_account", "bic_or_routing", "amount", "currency"];
  return csv(filename, pages, (p) => [reference(p), p.recipientName, p.recipient, p.recipientDetails.bic ?? p.recipientDetails.routingNumber ?? "", amount(p), p.currency], { columns });
}

/** Every payout of a run, every lane, for the finance team's records (details masked). */
export async function runFile(pool: Pool, runId: string): Promise<CsvFile> {
  const run = await pool.query(`SELECT 1 FROM payout_runs WHERE id = $1`, [runId]);
  if (run.rowCount === 0) throw new PayoutError("not_found", "This payout run does not exist.");
  const pages = payoutPages(pool, `p."runId" = $1`, [runId], 0n, Number.MAX_SAFE_INTEGER);
  const columns = ["reference", "payout_id", "method", "currency", "amount", "affiliate_id", "affiliate", "recipient", "details", "status", "failure_reason"];
  return csv(`payout-run-${runId.slice(0, 8)}.csv`, pages, (p) => [
    reference(p), p.id, p.method.toLowerCase(), p.currency, amount(p), p.affiliateId, p.affiliateName, p.recipientName,
    maskedDetails(p.recipientDetails), p.status.toLowerCase(), p.failureReason ?? "",
  ], { columns });
}

export function maskedDetails(details: unknown): string {
  try {
    return describeDetails(details as PayoutDetails);
  } catch {
    return "";
  }
}

interface StatementRow {
  id: string;
  createdAt: Date;
  kind: string;
  txnId: string;
  offer: string;
  amountMinor: number;
  currency: string;
  calculation: string;
  status: string;
}

/** One payout of the signed-in affiliate, commission by commission (keyset pages by commission id). */
export async function statementFile(pool: Pool, affiliateId: string, payoutId: string): Promise<CsvFile> {
  const { rows } = await pool.query<{ number: string }>(`SELECT number::text FROM payouts WHERE id = $1 AND "affiliateId" = $2`, [payoutId, affiliateId]);
  if (!rows[0]) throw new PayoutError("not_found", "This payout does not exist.");
  async function* lines(): AsyncGenerator<StatementRow> {
    let after = "";
    for (;;) {
      const page = await pool.query<StatementRow>(
        `SELECT c.id, c."createdAt", c.kind, v."txnId", o.name AS offer, c."amountMinor", c.currency, c.calculation, c.status
         FROM payouts p JOIN commissions c ON ${CLAIM("c", "p")} JOIN conversions v ON v.id = c."conversionId" JOIN offers o ON o.id = c."offerId"
         WHERE p.id = $1 AND c.id > $2 ORDER BY c.id LIMIT ${PAGE}`,
        [payoutId, after],
      );
      for (const row of page.rows) yield row;
      if (page.rows.length < PAGE) return;
      after = page.rows[page.rows.length - 1]!.id;
    }
  }
  const columns = ["commission_id", "date", "kind", "transaction", "offer", "amount", "currency", "calculation", "status"];
  return csv(`statement-PO${rows[0].number}.csv`, lines(), (c) => [
    c.id, c.createdAt.toISOString().slice(0, 10), c.kind.toLowerCase(), c.txnId, c.offer, minorToDecimal(c.amountMinor, c.currency), c.currency, c.calculation, c.status.toLowerCase(),
  ], { columns });
}

function csv<T>(filename: string, rows: AsyncIterable<T>, toRecord: (row: T) => string[], options: { header?: boolean; columns?: string[] }): CsvFile {
  const stringifier = stringify({ header: options.header ?? true, columns: options.columns, eof: true });
  async function* records() {
    for await (const row of rows) yield toRecord(row);
  }
  const source = Readable.from(records(), { objectMode: true });
  source.on("error", (error) => stringifier.destroy(error)); // a failed page read ends the download with an error
  return { filename, body: source.pipe(stringifier) as unknown as Readable };
}

/** A Node stream as a web Response body (route handlers), pulled as the client reads. */
export function csvResponse(file: CsvFile): Response {
  const stream = Readable.toWeb(file.body) as unknown as ReadableStream<Uint8Array>;
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
    },
  });
}
