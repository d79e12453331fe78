// Which errors mean "the database cannot take this right now" (answer 503 + Retry-After: the sender retries and
// nothing was recorded) rather than a bug (500). Both are never a 200.

// SQLSTATE classes/codes: 08 connection exception, 53 insufficient resources, 57P admin shutdown / crash / cannot
// connect now, 3D000 database does not exist, 28 invalid authorization, 40001/40P01 serialization failure and
// deadlock (safe to retry), 57014 statement cancelled (a timeout).
const SQLSTATE = /^(08|53|57P|3D000|28|40001|40P01|57014)/;
const NETWORK = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN", "ENETUNREACH"]);
const MESSAGE = /Connection terminated|connection error|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout|Client was closed|not queryable|Cannot use a pool after calling end/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === "string" && (SQLSTATE.test(code) || NETWORK.has(code))) return true;
  const message = (error as { message?: unknown })?.message;
  return typeof message === "string" && MESSAGE.test(message);
}
