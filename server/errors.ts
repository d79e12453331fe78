// Domain errors: what domain code throws when it refuses a request, with a message for the person who asked. The
// one mapping to transport codes is here (tRPC: server/api/trpc.ts turns them into TRPCErrors; HTTP: httpStatus).
export type DomainErrorCode = "invalid" | "not_found" | "forbidden" | "conflict" | "precondition_failed";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const TRPC_CODE = {
  invalid: "BAD_REQUEST",
  not_found: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  conflict: "CONFLICT",
  precondition_failed: "PRECONDITION_FAILED",
} as const satisfies Record<DomainErrorCode, string>;

export const HTTP_STATUS: Record<DomainErrorCode, number> = { invalid: 400, not_found: 404, forbidden: 403, conflict: 409, precondition_failed: 412 };

/**
 * For lookups scoped to the caller (`where: { id, merchantId }`): a missing row means "not yours or not there",
 * refused as forbidden either way so ids of other owners cannot be probed.
 */
export function requireOwned<T>(row: T | null | undefined, what: string): T {
  if (row == null) throw new DomainError("forbidden", `This ${what} does not exist or is not yours.`);
  return row;
}
