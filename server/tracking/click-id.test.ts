import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CLICK_ID_LENGTH, createClickIdCodec } from "./click-id";

const codec = createClickIdCodec("test-secret-0123456789abcdef0123456789");

describe("click ids", () => {
  it("round-trips the link and the click time", () => {
    const at = Date.UTC(2026, 10, 21, 12, 0, 0, 123);
    const id = codec.sign(4_000_000_001, at);
    expect(id).toHaveLength(CLICK_ID_LENGTH);
    expect(id).toMatch(/^[-0-9A-Za-z_]+$/);
    expect(codec.verify(id)).toEqual({ ok: true, linkId: 4_000_000_001, clickedAt: new Date(at) });
  });

  it("carries HMAC-SHA256 of its payload, truncated to 8 bytes (ids issued by any version verify alike)", () => {
    const secret = "test-secret-0123456789abcdef0123456789";
    const id = codec.sign(42, 1_700_000_000_000);
    // Decode the 30 characters back to 22 bytes the slow, obvious way.
    const alphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    const bits = [...id].map((c) => alphabet.indexOf(c).toString(2).padStart(6, "0")).join("");
    const bytes = Buffer.from(Array.from({ length: 22 }, (_, i) => parseInt(bits.slice(8 * i, 8 * i + 8), 2)));
    expect(bytes.readUIntBE(0, 6)).toBe(1_700_000_000_000);
    expect(bytes.readUInt32BE(6)).toBe(42);
    expect(bytes.subarray(14)).toEqual(createHmac("sha256", secret).update(bytes.subarray(0, 14)).digest().subarray(0, 8));
    expect(bits.slice(176)).toBe("0000"); // padding bits
  });

  it("sorts by click time as plain strings, and never repeats within a millisecond", () => {
    const ids = [1, 2, 3, 1_000, 86_400_000].map((dt) => codec.sign(7, 1_700_000_000_000 + dt));
    expect([...ids].sort((a, b) => (a < b ? -1 : 1))).toEqual(ids);
    const same = new Set(Array.from({ length: 10_000 }, () => codec.sign(7, 1_700_000_000_000)));
    expect(same.size).toBe(10_000);
  });

  it("rejects every altered character", () => {
    const id = codec.sign(42, 1_700_000_000_000);
    for (let i = 0; i < id.length; i++) {
      const altered = id.slice(0, i) + (id[i] === "A" ? "B" : "A") + id.slice(i + 1);
      expect(codec.verify(altered).ok).toBe(false);
    }
  });

  it("rejects ids signed with another secret, and malformed input", () => {
    const forged = createClickIdCodec("another-secret-0123456789abcdef012345").sign(42);
    expect(codec.verify(forged)).toEqual({ ok: false, error: "bad_signature" });
    for (const bad of ["", "short", "x".repeat(31), "é".repeat(30), "/".repeat(30), " ".repeat(30)]) {
      expect(codec.verify(bad)).toEqual({ ok: false, error: "malformed" });
    }
  });
});
