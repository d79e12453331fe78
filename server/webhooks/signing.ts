// Standard Webhooks signing (https://www.standardwebhooks.com): the signature covers `<webhook-id>.<timestamp>.<body>`
// with HMAC-SHA256 under the endpoint's `whsec_` secret. During a rotation window both the new and the previous
// secret sign, space-separated, so a receiver still configured with either one verifies.
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_WINDOW_MS = 24 * 60 * 60 * 1000;

export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** First characters, to recognise a secret in the UI without revealing it. */
export function secretHint(secret: string): string {
  return `${secret.slice(0, 10)}…`;
}

export interface SigningKeys {
  secret: string;
  previousSecret: string | null;
  previousSecretUntil: Date | null;
}

/** The secrets that sign at `now`: the current one, plus the previous one inside its rotation window. */
export function activeSecrets(keys: SigningKeys, now: Date): string[] {
  const previousValid = keys.previousSecret && keys.previousSecretUntil && keys.previousSecretUntil > now;
  return previousValid ? [keys.secret, keys.previousSecret!] : [keys.secret];
}

export type SignedHeaders = {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
};

/** The three Standard Webhooks headers for one send; `at` is the send time (receivers check it is recent). */
export function signHeaders(messageId: string, body: string, secrets: string[], at: Date): SignedHeaders {
  return {
    "webhook-id": messageId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(" "),
  };
}
