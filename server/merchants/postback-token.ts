// Merchants authenticate postbacks with a secret token. Only its sha256 is stored (a database leak does not leak
// tokens; sha256 is enough because tokens are 32 random bytes, not passwords) and its first characters, so the
// merchant can tell tokens apart in the UI.
import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX_LENGTH = 6;

export function hashPostbackToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function postbackTokenFields(token: string) {
  return { postbackTokenHash: hashPostbackToken(token), postbackTokenPrefix: token.slice(0, TOKEN_PREFIX_LENGTH) };
}

/** A new token: "pbt_" and 43 URL-safe characters. Shown once; only its hash is kept. */
export function generatePostbackToken(): string {
  return `pbt_${randomBytes(32).toString("base64url")}`;
}
