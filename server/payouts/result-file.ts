// A provider's result file, turned into settlements: a CSV with a header naming the payout's reference (our
// PO<number>, which PayPal files carry as "Customer ID" / "Reference" and Wise as "paymentReference"/"Reference")
// and its outcome ("Status": completed/success/paid → paid; failed/denied/returned/blocked/refunded/cancelled/
// rejected → failed), with an optional reason column. Rows still in progress (pending, unclaimed, processing) are
// left as sent. Any malformed line refuses the whole file, with the line numbers, and nothing is written.
import { parse } from "csv-parse/sync";
import { PayoutError } from "./errors";
import type { Settlement } from "./runs";

const REFERENCE = ["reference", "customer id", "customer_id", "customerid", "paymentreference", "payment reference", "payout reference", "sender item id", "note"];
const STATUS = ["status", "transaction status", "payout status", "state"];
const REASON = ["reason", "failure reason", "failure_reason", "error", "error message", "errors"];
const PAID = new Set(["completed", "complete", "success", "succeeded", "successful", "paid", "sent", "outgoing_payment_sent", "funds_converted"]);
const FAILED = new Set(["failed", "failure", "denied", "returned", "blocked", "refunded", "reversed", "cancelled", "canceled", "rejected", "bounced_back", "charged_back"]);
const WAITING = new Set(["pending", "unclaimed", "processing", "onhold", "on hold", "incoming_payment_waiting", "new"]);

export const MAX_RESULT_FILE_BYTES = 5 * 1024 * 1024;

export function parseResultFile(text: string): { settlements: Settlement[]; waiting: number } {
  if (Buffer.byteLength(text) > MAX_RESULT_FILE_BYTES) throw new PayoutError("bad_file", "The file is larger than 5 MB; split it per batch.");
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ""), { relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (error) {
    throw new PayoutError("bad_file", `This is not a readable CSV file: ${(error as Error).message}`);
  }
  const header = (rows[0] ?? []).map((h) => h.toLowerCase());
  const col = (names: string[]) => header.findIndex((h) => names.includes(h));
  const ref = col(REFERENCE);
  const status = col(STATUS);
  const reason = col(REASON);
  if (ref < 0 || status < 0) {
    throw new PayoutError("bad_file", "The first line must name the columns, with a reference (e.g. “Reference” or “Customer ID”, holding PO…) and a “Status”.");
  }
  const settlements: Settlement[] = [];
  const lines: { line: number; message: string }[] = [];
  let waiting = 0;
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const reference = row[ref] ?? "";
    const outcome = (row[status] ?? "").toLowerCase();
    if (!/^PO\d{1,18}$/i.test(reference)) return void lines.push({ line, message: `“${reference}” is not a payout reference (PO followed by digits)` });
    if (PAID.has(outcome)) settlements.push({ payout: reference.toUpperCase(), outcome: "paid" });
    else if (FAILED.has(outcome)) settlements.push({ payout: reference.toUpperCase(), outcome: "failed", reason: (reason >= 0 && row[reason]) || `${outcome} at the provider` });
    else if (WAITING.has(outcome)) waiting += 1;
    else lines.push({ line, message: `unknown status “${row[status] ?? ""}”` });
  });
  if (lines.length) throw new PayoutError("bad_file", `Nothing was changed: ${lines.length} line${lines.length === 1 ? "" : "s"} could not be read.`, lines.slice(0, 50));
  if (settlements.length === 0 && waiting === 0) throw new PayoutError("bad_file", "The file lists no payouts.");
  return { settlements, waiting };
}
