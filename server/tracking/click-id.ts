// Signed, self-describing click ids. 22 bytes, written as 30 URL-safe characters:
//
//   [ click time, ms: 6 ][ link id: 4 ][ sequence: 4 ][ HMAC-SHA256(first 14 bytes), truncated: 8 ]
//
// The alphabet is base64's 64 URL-safe characters in ASCII order, so ids sort by time as plain strings (inserts
// append to the primary-key index). The sequence is a per-process counter from a random start, so two clicks on
// one link in the same millisecond never collide in this process. The link gives the affiliate and offer, so a
// postback can be attributed from the id alone, even when the click row was never written; the MAC makes a
// forged or altered id detectable without a database.
import { randomInt, timingSafeEqual } from "node:crypto";
import { createShortMac } from "./short-mac";

const ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
/** Every pair of 6-bit values as its two characters: the encoder looks up 12 bits at a time. */
const PAIRS = Array.from({ length: 4096 }, (_, i) => ALPHABET[i >> 6]! + ALPHABET[i & 63]!);

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
  const mac = createShortMac(secret);
  // sign() runs on every redirect: it reuses one buffer (the id is a fresh string; the bytes never escape).
  const bytes = Buffer.alloc(ID_BYTES);
  const expected = Buffer.alloc(MAC_BYTES);

  function sign(linkId: number, clickedAtMs: number = Date.now()): string {
    bytes.writeUIntBE(clickedAtMs, 0, 6);
    bytes.writeUInt32BE(linkId >>> 0, 6);
    bytes.writeUInt32BE(sequence, 10);
    sequence = (sequence + 1) >>> 0;
    mac(bytes, 0, PAYLOAD_BYTES, bytes, PAYLOAD_BYTES, MAC_BYTES);
    return encode(bytes);
  }

  function verify(id: string): ClickIdResult {
    const decoded = typeof id === "string" && id.length === CLICK_ID_LENGTH ? decode(id) : null;
    if (!decoded) return { ok: false, error: "malformed" };
    mac(decoded, 0, PAYLOAD_BYTES, expected, 0, MAC_BYTES);
    if (!timingSafeEqual(expected, decoded.subarray(PAYLOAD_BYTES))) return { ok: false, error: "bad_signature" };
    return { ok: true, clickedAt: new Date(decoded.readUIntBE(0, 6)), linkId: decoded.readUInt32BE(6) };
  }

  return { sign, verify };
}

export type ClickIdCodec = ReturnType<typeof createClickIdCodec>;

/** 22 bytes → 30 characters: seven groups of 3 bytes (24 bits, four characters), then 1 byte (two characters). */
function encode(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < 21; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += PAIRS[v >>> 12]! + PAIRS[v & 4095]!;
  }
  return out + PAIRS[b[21]! << 4]!; // the last byte's 8 bits, then 4 zero bits
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
