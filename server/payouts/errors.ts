// Refusals of the payout domain, with a message for the person who asked. Routers map `code` to a tRPC code.
export type PayoutErrorCode = "not_found" | "wrong_status" | "nothing_to_pay" | "bad_file" | "invalid";

export class PayoutError extends Error {
  constructor(
    readonly code: PayoutErrorCode,
    message: string,
    /** For bad_file: each refused line with its reason (nothing was written). */
    readonly lines: { line: number; message: string }[] = [],
    /** For invalid: the input field at fault ("tax.taxId"). */
    readonly field?: string,
  ) {
    super(message);
  }
}

/** The old name, kept for callers that still import it. */
export { PayoutError as PayoutRunError };
