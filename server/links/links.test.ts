import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "../db";
import { callerFor, createAffiliate, createClicks, createLink, createManager, createOffer, unique } from "../testing/fixtures";

afterAll(closeDb);

async function manager() {
  return callerFor(await createManager());
}

describe("links router (managers)", () => {
  it("creates a link with a normalised destination, lists it with its 30-day click counts, edits and disables it", async () => {
    const api = await manager();
    const [affiliate, offer] = await Promise.all([createAffiliate({ withUser: false }), createOffer()]);
    const slug = unique("spring");
    const created = await api.links.create({ slug, affiliateId: affiliate.id, offerId: offer.id, destinationUrl: " https://Shop.example/landing " });
    expect(created).toMatchObject({ slug, destinationUrl: "https://shop.example/landing", active: true, affiliate: { id: affiliate.id } });

    await createClicks({ id: created.id, affiliateId: affiliate.id, offerId: offer.id }, 3);
    await createClicks({ id: created.id, affiliateId: affiliate.id, offerId: offer.id }, 2, { billable: false });
    await createClicks({ id: created.id, affiliateId: affiliate.id, offerId: offer.id }, 4, { at: new Date(Date.now() - 40 * 86_400_000) });
    const listed = await api.links.list({ search: slug });
    expect(listed.total).toBe(1);
    expect(listed.items[0]).toMatchObject({ id: created.id, clicks30d: { total: 5, billable: 3, bots: 2, repeats: 0 } });
    expect(listed.items[0]!.trackingUrl).toMatch(new RegExp(`^https?://[^/]+/go/${slug}$`));

    const edited = await api.links.update({ id: created.id, destinationUrl: "https://shop.example/new?x=1" });
    expect(edited.destinationUrl).toBe("https://shop.example/new?x=1");
    await api.links.disable({ id: created.id });
    expect((await db.link.findUniqueOrThrow({ where: { id: created.id } })).active).toBe(false);
    await api.links.update({ id: created.id, active: true });
    expect((await db.link.findUniqueOrThrow({ where: { id: created.id } })).active).toBe(true);
  });

  it("refuses a taken slug with a clear CONFLICT and writes nothing", async () => {
    const api = await manager();
    const existing = await createLink();
    const other = await createAffiliate({ withUser: false });
    await expect(
      api.links.create({ slug: existing.slug, affiliateId: other.id, offerId: existing.offerId, destinationUrl: "https://other.example/" }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: `The slug "${existing.slug}" is already taken: choose another.` });
    expect(await db.link.count({ where: { affiliateId: other.id } })).toBe(0);
    expect((await db.link.findUniqueOrThrow({ where: { slug: existing.slug } })).destinationUrl).toBe(existing.destinationUrl);
  });

  it.each([
    ["slug with capitals", { slug: "Spring" }, "Slug: 1-64 characters"],
    ["slug with a slash", { slug: "a/b" }, "Slug: 1-64 characters"],
    ["slug with an encoded slash", { slug: "a%2Fb" }, "Slug: 1-64 characters"],
    ["javascript: destination", { destinationUrl: "javascript:alert(1)" }, "must start with http:// or https://"],
    ["relative destination", { destinationUrl: "//evil.example" }, "must be an absolute URL"],
    ["destination with credentials", { destinationUrl: "https://user:pw@shop.example/" }, "must not contain a user name or password"],
  ])("refuses a %s with a field message and writes nothing", async (_name, change, message) => {
    const api = await manager();
    const [affiliate, offer] = await Promise.all([createAffiliate({ withUser: false }), createOffer()]);
    const input = { slug: unique("ok"), affiliateId: affiliate.id, offerId: offer.id, destinationUrl: "https://shop.example/", ...change };
    const error = await api.links.create(input).then(
      () => null,
      (e: { code: string; message: string }) => e,
    );
    expect(error?.code).toBe("BAD_REQUEST");
    expect(error?.message).toContain(message);
    expect(await db.link.count({ where: { affiliateId: affiliate.id } })).toBe(0);
  });

  it("refuses an unknown offer, and editing a link that does not exist", async () => {
    const api = await manager();
    const affiliate = await createAffiliate({ withUser: false });
    await expect(
      api.links.create({ slug: unique("x"), affiliateId: affiliate.id, offerId: "no-such-offer", destinationUrl: "https://shop.example/" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: "This offer does not exist or is inactive." });
    await expect(api.links.update({ id: 2_000_000_000, active: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(api.links.update({ id: 1, destinationUrl: "ftp://files.example/" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("links router (affiliates)", () => {
  it("an affiliate sees only their own links, with tracking URLs and counts, and cannot manage links", async () => {
    const affiliate = await createAffiliate();
    const mine = await createLink({ affiliateId: affiliate.id });
    await createLink(); // someone else's
    await createClicks(mine, 2);
    const api = callerFor(affiliate.user);
    const links = await api.links.mine();
    expect(links.map((l) => l.id)).toEqual([mine.id]);
    expect(links[0]).toMatchObject({ slug: mine.slug, clicks30d: { total: 2, billable: 2 } });
    expect(links[0]!.trackingUrl.endsWith(`/go/${mine.slug}`)).toBe(true);

    await expect(api.links.list({})).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(api.links.disable({ id: mine.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(null).links.mine()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await db.link.findUniqueOrThrow({ where: { id: mine.id } })).active).toBe(true);
  });
});
