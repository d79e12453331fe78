import { describe, expect, it } from "vitest";
import { createClickIdCodec } from "./click-id";
import { LinkCache, type LinkRow } from "./link-cache";
import { type RequestFacts, readSubs, resolveRedirect } from "./redirect";
import { slugFromPath, splitTarget } from "./slug";
import { RepeatDetector } from "./visitor";

const codec = createClickIdCodec("redirect-test-secret-0123456789abcdef");
const BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

function row(over: Partial<LinkRow> = {}): LinkRow {
  return { id: 7, slug: "demo", affiliateId: "aff-1", offerId: "off-1", destinationUrl: "https://shop.example/p?ref=1", active: true, clickIdParam: "click_id", ...over };
}

function setup(rows: LinkRow[] = [row()]) {
  const cache = new LinkCache();
  cache.replaceAll(rows);
  const deps = { sign: codec.sign, repeats: new RepeatDetector() };
  const go = (target: string, facts: Partial<RequestFacts> = {}) => {
    const { pathname, query } = splitTarget(target);
    return resolveRedirect(pathname, query, cache, { method: "GET", ip: "203.0.113.9", userAgent: BROWSER, referer: null, ...facts }, deps);
  };
  return { cache, deps, go };
}

describe("resolveRedirect", () => {
  it("redirects to the destination with a signed click id that names the link and the click time", () => {
    const { go } = setup();
    const before = Date.now();
    const result = go("/go/demo");
    expect(result.outcome).toBe("redirect");
    if (result.outcome !== "redirect") return;
    const match = /^https:\/\/shop\.example\/p\?ref=1&click_id=([-\w]{30})$/.exec(result.location);
    expect(match).not.toBeNull();
    const claims = codec.verify(match![1]!);
    expect(claims).toMatchObject({ ok: true, linkId: 7 });
    expect(claims.ok && claims.clickedAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(result.click).toMatchObject({ clickId: match![1], linkId: 7, affiliateId: "aff-1", offerId: "off-1", billable: true, isBot: false, isRepeat: false });
  });

  it("uses the offer's click id parameter and keeps the destination's fragment last", () => {
    const { go } = setup([row({ destinationUrl: "https://shop.example/landing#buy", clickIdParam: "aff_click" })]);
    const result = go("/go/demo?sub2=x");
    expect(result.status).toBe(302);
    expect("location" in result && result.location).toMatch(/^https:\/\/shop\.example\/landing\?aff_click=[-\w]{30}&sub2=x#buy$/);
  });

  it("keeps sub1…sub5 with the click and passes them through re-encoded; other parameters are not forwarded", () => {
    const { go } = setup();
    const result = go("/go/demo?sub1=spring+sale&sub3=a%26b%3Dc%23d&sub5=%E2%9C%93&utm_source=x&sub1=second&sub9=no");
    if (result.outcome !== "redirect") throw new Error(result.outcome);
    expect(result.click).toMatchObject({ sub1: "spring sale", sub2: null, sub3: "a&b=c#d", sub4: null, sub5: "✓" });
    expect(result.location).toMatch(/&sub1=spring%20sale&sub3=a%26b%3Dc%23d&sub5=%E2%9C%93$/);
    expect(result.location).not.toContain("utm_source");
  });

  it("drops undecodable sub values, strips NUL (PostgreSQL text cannot hold it) and bounds lengths", () => {
    expect(readSubs("sub1=%E0%A4%A&sub2=a%00b&sub3=" + "x".repeat(400)).values).toEqual(["", "ab", "x".repeat(255), null, null].map((v) => v || null));
  });

  it("passes plain values through as they came and re-encodes everything else", () => {
    expect(readSubs("sub1=abc-DEF_1.2~x&sub2=a.b%2Fc&sub3=" + "y".repeat(300))).toEqual({
      values: ["abc-DEF_1.2~x", "a.b/c", "y".repeat(255), null, null],
      passThrough: `&sub1=abc-DEF_1.2~x&sub2=a.b%2Fc&sub3=${"y".repeat(255)}`,
    });
  });

  it("treats a HEAD request as a non-billable redirect", () => {
    const { go } = setup();
    const result = go("/go/demo", { method: "HEAD" });
    expect(result).toMatchObject({ outcome: "head", status: 302, click: { billable: false, isBot: false } });
  });

  it("redirects bots but stores them as non-billable bot clicks", () => {
    const { go } = setup();
    for (const userAgent of [GOOGLEBOT, "curl/8.5.0", "python-requests/2.31"]) {
      expect(go("/go/demo", { userAgent })).toMatchObject({ outcome: "bot", status: 302, click: { billable: false, isBot: true } });
    }
  });

  it("marks the same IP and user agent on the same link as a repeat, but not on another link or from another IP", () => {
    const { go } = setup([row(), row({ id: 8, slug: "other" })]);
    const repeat = (target: string, facts: Partial<RequestFacts> = {}) => {
      const r = go(target, facts);
      return r.outcome === "redirect" ? r.click.isRepeat : null;
    };
    expect(repeat("/go/demo")).toBe(false);
    expect(repeat("/go/demo")).toBe(true);
    expect(repeat("/go/other")).toBe(false);
    expect(repeat("/go/demo", { ip: "198.51.100.1" })).toBe(false);
    expect(repeat("/go/demo", { userAgent: `${BROWSER} Edg/131` })).toBe(false);
  });

  it("answers 404 for unknown and inactive links, or the program's fallback when one is set", () => {
    const { cache, go } = setup([row(), row({ id: 9, slug: "off", active: false })]);
    expect(go("/go/nope")).toEqual({ outcome: "not_found", status: 404 });
    expect(go("/go/off")).toEqual({ outcome: "not_found", status: 404 });
    cache.fallbackUrl = "https://program.example/";
    expect(go("/go/off")).toEqual({ outcome: "fallback", status: 302, location: "https://program.example/" });
  });
});

describe("open redirect attempts", () => {
  // Paths an attacker may try so that our redirect points somewhere else. Whatever the encoding, the answer is a
  // 404 or the one configured destination: never a location built from the request.
  const attacks = [
    "/go//evil.example",
    "/go///evil.example",
    "/go/%2F%2Fevil.example",
    "/go/%2f%2fevil.example",
    "/go/%252F%252Fevil.example",
    "/go/\\\\evil.example",
    "/go/%5C%5Cevil.example",
    "/go/https://evil.example",
    "/go/https:%2F%2Fevil.example",
    "/go/http%3A%2F%2Fevil.example",
    "/go/demo/../../evil.example",
    "/go/demo/%2e%2e/evil.example",
    "/go/demo//evil.example",
    "/go/demo@evil.example",
    "/go/demo%00.evil.example",
    "/go/demo%0d%0aLocation:%20https://evil.example",
    "/go/ｅｖｉｌ.example",
    "/go/demo\u2215evil.example",
    "/go/DEMO",
    "/go/demo.evil.example",
    "/go/",
    "/go",
    "//evil.example/go/demo",
  ];

  it.each(attacks)("%s names no link: the 404 page, never a redirect", (target) => {
    const { go } = setup();
    expect(go(target)).toEqual({ outcome: "not_found", status: 404 });
  });

  it("query strings cannot change the target: values are encoded, the host never comes from the request", () => {
    const { go } = setup();
    for (const query of ["sub1=//evil.example", "sub1=https://evil.example", "sub1=%0d%0aLocation:x", "url=https://evil.example", "sub1=#@evil.example"]) {
      const result = go(`/go/demo?${query}`);
      if (result.outcome !== "redirect") throw new Error(result.outcome);
      const url = new URL(result.location);
      expect(url.host).toBe("shop.example");
      expect(url.pathname).toBe("/p");
      expect(url.hash).toBe("");
      expect(result.location).not.toMatch(/[\r\n]/);
    }
  });

  it("only valid slugs pass the path check", () => {
    expect(slugFromPath("/go/demo")).toBe("demo");
    expect(slugFromPath("/go/demo/")).toBe("demo");
    expect(slugFromPath("/go/spring-sale_2026")).toBe("spring-sale_2026");
    expect(slugFromPath("/go/a".padEnd(4 + 65, "a"))).toBeNull();
    expect(slugFromPath("/go/demo%20")).toBeNull();
  });

  it("links whose stored destination is not http(s) never enter the cache", () => {
    const cache = new LinkCache();
    cache.replaceAll([
      row({ id: 1, slug: "js", destinationUrl: "javascript:alert(1)" }),
      row({ id: 2, slug: "data", destinationUrl: "data:text/html,<script>1</script>" }),
      row({ id: 3, slug: "rel", destinationUrl: "//evil.example" }),
      row({ id: 4, slug: "creds", destinationUrl: "https://user:pw@shop.example/" }),
      row({ id: 5, slug: "ok", destinationUrl: "https://shop.example/" }),
    ]);
    expect(cache.size).toBe(1);
    expect(cache.get("ok")).toBeDefined();
  });
});

describe("RepeatDetector", () => {
  it("remembers a visitor for the whole window across generation rotations, and forgets after it", () => {
    const hour = 3_600_000;
    const detector = new RepeatDetector({ windowMs: hour });
    const t0 = 1_000_000_000;
    expect(detector.seen(1, "ip", "ua", t0)).toBe(false);
    expect(detector.seen(2, "x", "y", t0 + hour - 1)).toBe(false); // rotates nothing yet
    expect(detector.seen(1, "ip", "ua", t0 + hour - 1)).toBe(true);
    expect(detector.seen(3, "x", "y", t0 + hour + 10)).toBe(false); // rotation: t0's generation becomes "previous"
    expect(detector.seen(1, "ip", "ua", t0 + 2 * hour - 2)).toBe(true);
    expect(detector.seen(1, "ip", "ua", t0 + 4 * hour)).toBe(false);
  });

  it("stays bounded under a flood of distinct visitors, and still knows the latest ones", () => {
    const detector = new RepeatDetector({ maxKeys: 1_000 });
    for (let i = 0; i < 10_000; i++) expect(detector.seen(1, `10.0.${i >> 8}.${i & 255}`, "ua", 1_000 + i)).toBe(false);
    expect(detector.size).toBeLessThanOrEqual(2_000);
    for (let i = 9_000; i < 10_000; i++) expect(detector.seen(1, `10.0.${i >> 8}.${i & 255}`, "ua", 20_000)).toBe(true);
  });

  it("tells visitors apart by link, IP and user agent", () => {
    const detector = new RepeatDetector();
    const visits: [number, string | null, string | null][] = [[1, "ip", "ua"], [2, "ip", "ua"], [1, "ip2", "ua"], [1, "ip", "ua2"], [1, null, "ua"], [1, "ip", null], [1, "ipu", "a"]];
    for (const [link, ip, ua] of visits) expect(detector.seen(link, ip, ua, 5_000)).toBe(false);
    for (const [link, ip, ua] of visits) expect(detector.seen(link, ip, ua, 6_000)).toBe(true);
  });
});
