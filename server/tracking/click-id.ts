// Signed, self-describing click ids. 22 bytes, written as 30 URL-safe characters:
//
//   [ click time, ms: 6 ][ link id: 4 ][ sequence: 4 ][ HMAC-SHA256(first 14 bytes), truncated: 8 ]
//
// The alphabet is base64's 64 URL-safe characters in ASCII order, so ids sort by time as plain strings (inserts
// append to the primary-key index). The sequence is a per-process counter from a random start, so two clicks on
// one link in the same millisecond never collide in this process. The link gives the affiliate and offer, so a
// postback can be attributed from the id alone, even when the click row was never written; the MAC makes a
// forged or altered id detectable without a database.
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";

const ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const PAYLOAD_BYTES = 14;
const MAC_BYTES = 8;
const ID_BYTES = PAYLOAD_BYTES + MAC_BYTES;
export const CLICK_ID_LENGTH = Math.ceil((ID_BYTES * 8) / 6); // 30

export interface ClickIdClaims {
  linkId: number;
  clickedAt: Date;
}

export type ClickIdError = "malformed" | "bad_signature";

export type ClickIdResult = ({ ok: true } & ClickIdClaims) | { ok: false; error: ClickIdError };

let sequence = randomInt(0, 2 ** 32);

export function createClickIdCodec(secret: string) {
  const mac = (payload: Buffer) => createHmac("sha256", secret).update(payload).digest().subarray(0, MAC_BYTES);

  function sign(linkId: number, clickedAtMs: number = Date.now()): string {
    const bytes = Buffer.allocUnsafe(ID_BYTES);
    bytes.writeUIntBE(clickedAtMs, 0, 6);
    bytes.writeUInt32BE(linkId >>> 0, 6);
    bytes.writeUInt32BE(sequence, 10);
    sequence = (sequence + 1) >>> 0;
    mac(bytes.subarray(0, PAYLOAD_BYTES)).copy(bytes, PAYLOAD_BYTES);
    return encode(bytes);
  }

  function verify(id: string): ClickIdResult {
    const bytes = typeof id === "string" && id.length === CLICK_ID_LENGTH ? decode(id) : null;
    if (!bytes) return { ok: false, error: "malformed" };
    const expected = mac(bytes.subarray(0, PAYLOAD_BYTES));
    if (!timingSafeEqual(expected, bytes.subarray(PAYLOAD_BYTES))) return { ok: false, error: "bad_signature" };
    return { ok: true, clickedAt: new Date(bytes.readUIntBE(0, 6)), linkId: bytes.readUInt32BE(6) };
  }

  return { sign, verify };
}

export type ClickIdCodec = ReturnType<typeof createClickIdCodec>;

function encode(bytes: Buffer): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(acc >>> bits) & 63];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (6 - bits)) & 63];
  return out;
}

function decode(text: string): Buffer | null {
  const bytes = Buffer.allocUnsafe(ID_BYTES);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? DECODE[code]! : -1;
    if (value < 0) return null;
    acc = (acc << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < ID_BYTES) bytes[n++] = (acc >>> bits) & 255;
    }
    acc &= (1 << bits) - 1;
  }
  // The padding bits of the last character must be zero, or one id would have several spellings.
  return n === ID_BYTES && acc === 0 ? bytes : null;
}
