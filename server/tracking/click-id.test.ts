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
