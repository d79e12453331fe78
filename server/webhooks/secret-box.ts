// Signing secrets at rest: AES-256-GCM under a key derived (HKDF-SHA256) from WEBHOOK_SECRET_KEY, with the
// endpoint's id as associated data, so a sealed secret copied onto another endpoint does not open. Stored as
//   wsk1.<key id>.<base64url(12-byte IV | ciphertext | 16-byte tag)>
// The key id (an HMAC of the key, 8 hex characters) says which key sealed a value: after a key change,
// WEBHOOK_SECRET_KEY_PREVIOUS still opens what the old key sealed until resealEndpointSecrets (run at start) has
// rewritten it under the new one. Values from before encryption (plain `whsec_…`) still open and are resealed the
// same way. Pure: no I/O; the keyring comes from the environment unless a test passes one.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { env } from "../env";

const FORMAT = "wsk1";
const PLAIN_PREFIX = "whsec_";

export interface SealingKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  current: SealingKey;
  /** The key before the last change: opens old values, never seals. */
  previous: SealingKey | null;
}

export function sealingKey(material: string): SealingKey {
  const key = Buffer.from(hkdfSync("sha256", material, "", "webhook signing secrets", 32));
  return { id: createHmac("sha256", key).update("key id").digest("hex").slice(0, 8), key };
}

let cached: { material: string; previous: string | undefined; ring: Keyring } | undefined;

export function keyringFromEnv(): Keyring {
  const { WEBHOOK_SECRET_KEY: material, WEBHOOK_SECRET_KEY_PREVIOUS: previous } = env();
  if (cached?.material !== material || cached.previous !== previous) {
    cached = { material, previous, ring: { current: sealingKey(material), previous: previous ? sealingKey(previous) : null } };
  }
  return cached.ring;
}

/** A stored secret no configured key opens (WEBHOOK_SECRET_KEY changed without WEBHOOK_SECRET_KEY_PREVIOUS). */
export class UnreadableSecretError extends Error {
  constructor() {
    super("the signing secret cannot be decrypted with WEBHOOK_SECRET_KEY (was the key changed?); rotate the endpoint's secret");
  }
}

const aad = (endpointId: string) => Buffer.from(`webhook_endpoints:${endpointId}`);

export function sealSecret(secret: string, endpointId: string, ring: Keyring = keyringFromEnv()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", ring.current.key, iv).setAAD(aad(endpointId));
  const body = Buffer.concat([iv, cipher.update(secret, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${FORMAT}.${ring.current.id}.${body.toString("base64url")}`;
}

export function openSecret(stored: string, endpointId: string, ring: Keyring = keyringFromEnv()): string {
  if (stored.startsWith(PLAIN_PREFIX)) return stored;
  const [format, keyId, encoded] = stored.split(".");
  const key = [ring.current, ring.previous].find((k) => k?.id === keyId);
  if (format !== FORMAT || !key || !encoded) throw new UnreadableSecretError();
  const body = Buffer.from(encoded, "base64url");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, body.subarray(0, 12)).setAAD(aad(endpointId));
    decipher.setAuthTag(body.subarray(-16));
    return Buffer.concat([decipher.update(body.subarray(12, -16)), decipher.final()]).toString("utf8");
  } catch {
    throw new UnreadableSecretError();
  }
}

/** The stored value sealed under the current key: itself when it already is (throws when no key opens it). */
function reseal(stored: string, endpointId: string, ring: Keyring = keyringFromEnv()): string {
  return stored.startsWith(`${FORMAT}.${ring.current.id}.`) ? stored : sealSecret(openSecret(stored, endpointId, ring), endpointId, ring);
}

/** The LIKE pattern of values sealed under the current key (to find the others in SQL). */
export function currentKeyPattern(ring: Keyring = keyringFromEnv()): string {
  return `${FORMAT}.${ring.current.id}.%`;
}

/** reseal, or null when no configured key opens the value. */
export function resealOrNull(stored: string, endpointId: string, ring: Keyring = keyringFromEnv()): string | null {
  try {
    return reseal(stored, endpointId, ring);
  } catch (error) {
    if (error instanceof UnreadableSecretError) return null;
    throw error;
  }
}
