// Refusals of the accounts domain (joining, one-time links, passwords), with a message for the person who asked and,
// for bad input, the field at fault. The routers map `code` to a tRPC code (server/api/routers/accounts.ts).
export type AccountErrorCode = "not_found" | "conflict" | "wrong_status" | "invalid";

export class AccountError extends Error {
  constructor(
    readonly code: AccountErrorCode,
    message: string,
    /** For invalid: the input field at fault ("currentPassword"). */
    readonly field?: string,
  ) {
    super(message);
  }
}
