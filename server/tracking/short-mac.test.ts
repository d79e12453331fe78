import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_BYTES, createShortMac } from "./short-mac";

const reference = (key: string | Uint8Array, message: Uint8Array) => createHmac("sha256", key).update(message).digest();

describe("short-mac", () => {
  it("is HMAC-SHA256, byte for byte, for any key and any message that fits one block", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 100 }), fc.uint8Array({ maxLength: 130 })),
        fc.uint8Array({ maxLength: MAX_MESSAGE_BYTES }),
        fc.integer({ min: 1, max: 32 }),
        (key, message, outBytes) => {
          const out = new Uint8Array(outBytes + 3);
          createShortMac(key)(message, 0, message.length, out, 3, outBytes);
          expect(Buffer.from(out.subarray(3))).toEqual(reference(key, message).subarray(0, outBytes));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("reads only the given range of the message and can be called again and again", () => {
    const mac = createShortMac("a-secret");
    const buffer = Buffer.from("xxhello worldyy");
    const out = Buffer.alloc(32);
    for (let i = 0; i < 3; i++) {
      mac(buffer, 2, 13, out, 0, 32);
      expect(out).toEqual(reference("a-secret", Buffer.from("hello world")));
    }
  });

  it("refuses messages longer than one block", () => {
    expect(() => createShortMac("k")(new Uint8Array(MAX_MESSAGE_BYTES + 1), 0, MAX_MESSAGE_BYTES + 1, new Uint8Array(8), 0, 8)).toThrow(RangeError);
  });
});
