// HMAC-SHA256 of short messages (≤ 55 bytes: one SHA-256 block) without allocation, for the click id on the /go
// hot path. The key's inner and outer pads are compressed once, when the MAC is created; a message then costs two
// block compressions in plain JavaScript (~0.5 µs), where node:crypto's createHmac re-derives the pads, allocates
// and crosses into C++ on every call (~2.5 µs). The output is byte-for-byte HMAC-SHA256 (tested against
// node:crypto), truncated to the bytes asked for.
import { createHash } from "node:crypto";

const BLOCK = 64;
export const MAX_MESSAGE_BYTES = BLOCK - 9; // room for the 0x80 marker and the 64-bit length

const K = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = Int32Array.from([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** One SHA-256 compression: `state` ← compress(`state`, w[0..15]); `w` is used as the 64-word schedule. */
function compress(state: Int32Array, w: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = w[i - 15]!;
    const b = w[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/** Loads big-endian words of `bytes` into w[0..15] (`bytes` is one 64-byte block). */
function loadBlock(w: Int32Array, bytes: Uint8Array): void {
  for (let i = 0; i < 16; i++) w[i] = (bytes[4 * i]! << 24) | (bytes[4 * i + 1]! << 16) | (bytes[4 * i + 2]! << 8) | bytes[4 * i + 3]!;
}

export interface ShortMac {
  /** Writes the first `outBytes` bytes of HMAC-SHA256(key, message[start, end)) into `out` at `outOffset`. */
  (message: Uint8Array, start: number, end: number, out: Uint8Array, outOffset: number, outBytes: number): void;
}

export function createShortMac(key: string | Uint8Array): ShortMac {
  let keyBytes: Uint8Array = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  if (keyBytes.length > BLOCK) keyBytes = createHash("sha256").update(keyBytes).digest();
  const pad = new Uint8Array(BLOCK);
  const w = new Int32Array(64);
  const midstate = (xor: number) => {
    for (let i = 0; i < BLOCK; i++) pad[i] = (keyBytes[i] ?? 0) ^ xor;
    const state = IV.slice();
    loadBlock(w, pad);
    compress(state, w);
    return state;
  };
  const inner = midstate(0x36);
  const outer = midstate(0x5c);
  const block = new Uint8Array(BLOCK);
  const state = new Int32Array(8);

  return (message, start, end, out, outOffset, outBytes) => {
    const length = end - start;
    if (length > MAX_MESSAGE_BYTES || outBytes > 32) throw new RangeError("short-mac: message or output too long");
    // Inner hash: H(ipad ‖ message), the pad block already compressed into `inner`.
    block.fill(0);
    block.set(message.subarray(start, end));
    block[length] = 0x80;
    const innerBits = (BLOCK + length) * 8;
    block[62] = innerBits >>> 8;
    block[63] = innerBits & 0xff;
    loadBlock(w, block);
    state.set(inner);
    compress(state, w);
    // Outer hash: H(opad ‖ inner digest): 32 bytes + 0x80 + length (768 bits).
    for (let i = 0; i < 8; i++) w[i] = state[i]!;
    w[8] = 0x80000000;
    for (let i = 9; i < 15; i++) w[i] = 0;
    w[15] = (BLOCK + 32) * 8;
    state.set(outer);
    compress(state, w);
    for (let i = 0; i < outBytes; i++) out[outOffset + i] = (state[i >>> 2]! >>> (24 - 8 * (i & 3))) & 0xff;
  };
}
