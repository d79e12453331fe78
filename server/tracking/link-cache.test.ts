import { describe, expect, it } from "vitest";
import { LinkCache, type LinkRow } from "./link-cache";

const row = (over: Partial<LinkRow> = {}): LinkRow => ({
  id: 1, slug: "a", affiliateId: "aff", offerId: "off", destinationUrl: "https://shop.example/", active: true, clickIdParam: "click_id", ...over,
});

describe("LinkCache", () => {
  it("a full reload keeps unchanged entries, rebuilds changed ones and drops rows that are gone", () => {
    const cache = new LinkCache();
    cache.replaceAll([row(), row({ id: 2, slug: "b" }), row({ id: 3, slug: "c" })]);
    const kept = cache.get("a");
    cache.replaceAll([row(), row({ id: 2, slug: "b", destinationUrl: "https://other.example/x#f" })]);
    expect(cache.get("a")).toBe(kept);
    expect(cache.get("b")).toMatchObject({ head: "https://other.example/x?click_id=", tail: "#f" });
    expect(cache.get("c")).toBeUndefined();
    expect(cache.size).toBe(2);
  });

  it("follows a rename, and a slug handed from one link to another in either order", () => {
    const cache = new LinkCache();
    cache.apply(row({ id: 1, slug: "old" }));
    cache.apply(row({ id: 1, slug: "new" }));
    expect(cache.get("old")).toBeUndefined();
    expect(cache.get("new")?.id).toBe(1);
    // Link 2 takes "new" before link 1's rename away from it is seen: link 2 wins, and link 1's later update to
    // another slug must not remove link 2's entry.
    cache.apply(row({ id: 2, slug: "new", destinationUrl: "https://two.example/" }));
    cache.apply(row({ id: 1, slug: "third" }));
    expect(cache.get("new")?.id).toBe(2);
    expect(cache.get("third")?.id).toBe(1);
    cache.remove(1);
    expect(cache.get("new")?.id).toBe(2);
  });

  it("an inactive row or an unusable destination leaves the cache", () => {
    const cache = new LinkCache();
    cache.apply(row());
    cache.apply(row({ active: false }));
    expect(cache.size).toBe(0);
    cache.apply(row());
    cache.apply(row({ destinationUrl: "mailto:x@example.com" }));
    expect(cache.size).toBe(0);
  });
});
