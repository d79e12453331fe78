// The engine's building blocks: IP/CIDR handling, sliding windows, the heavy-hitter sketch, the score formula.
import { describe, expect, it } from "vitest";
import { maskIp } from "./rules/types";
import { CidrMatcher, canonicalIp, parseCidr, parseIp, subnetKey } from "./ip";
import { riskScore } from "./score";
import { headlessMarker } from "./user-agent";
import { KeyedWindowCounter, RingCounter, SketchRing, TopKSketch } from "./windows";

describe("ip", () => {
  it("keys subnets as /24 and /64 CIDRs (the public mask stays /48)", () => {
    expect(subnetKey("203.0.113.77")).toBe("203.0.113.0/24");
    expect(subnetKey("::ffff:203.0.113.77")).toBe("203.0.113.0/24");
    expect(subnetKey("2001:db8:1:2::7")).toBe("2001:db8:1:2::/64");
    expect(subnetKey("not an ip")).toBeNull();
    expect(subnetKey(null)).toBeNull();
  });

  it("parses IPv4 (also v4-mapped) and IPv6, refuses the rest", () => {
    expect(parseIp("203.0.113.7")).toEqual({ version: 4, value: 3405803783 });
    expect(parseIp(" ::ffff:203.0.113.7 ")).toEqual({ version: 4, value: 3405803783 });
    expect(parseIp("2001:db8::1")).toEqual({ version: 6, value: 0x20010db8000000000000000000000001n });
    for (const bad of ["256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", "2001:db8::g", ""]) expect(parseIp(bad)).toBeNull();
  });

  it("validates CIDRs and writes them canonically", () => {
    expect(parseCidr(" 34.64.0.0/10 ")).toMatchObject({ ok: true, cidr: { text: "34.64.0.0/10", prefix: 10 } });
    expect(parseCidr("2001:0db8:0000::/32")).toMatchObject({ ok: true, cidr: { text: "2001:db8::/32" } });
    expect(parseCidr("198.51.100.9")).toMatchObject({ ok: true, cidr: { text: "198.51.100.9/32" } });
    expect(parseCidr("34.64.1.0/10")).toEqual({ ok: false, error: "host bits are set: did you mean 34.64.0.0/10?" });
    expect(parseCidr("34.64.0.0/")).toMatchObject({ ok: false, error: expect.stringMatching(/prefix length/) });
    expect(parseCidr("2001:db8::/129")).toMatchObject({ ok: false, error: expect.stringMatching(/0 to 128/) });
    expect(parseCidr("example.com/24")).toMatchObject({ ok: false, error: expect.stringMatching(/not an IPv4 or IPv6 address/) });
  });

  it("matches IPs against a block list of mixed prefixes", () => {
    const list = new CidrMatcher([
      { cidr: "3.0.0.0/9", label: "AWS" },
      { cidr: "45.79.0.0/16", label: "Linode" },
      { cidr: "2600:1f00::/24", label: "AWS v6" },
      { cidr: "garbage", label: "ignored" },
    ]);
    expect(list.size).toBe(3);
    expect(list.match("3.127.255.255")?.label).toBe("AWS");
    expect(list.match("3.128.0.0")).toBeNull();
    expect(list.match("45.79.3.4")?.label).toBe("Linode");
    expect(list.match("2600:1f18::1")?.label).toBe("AWS v6");
    expect(list.match("2600:2000::1")).toBeNull();
    expect(list.match(null)).toBeNull();
  });
});

describe("ip for people", () => {
  it("writes addresses canonically, so a listed IP matches the click's by string", () => {
    expect(canonicalIp(" 203.0.113.7 ")).toBe("203.0.113.7");
    expect(canonicalIp("::FFFF:203.0.113.7")).toBe("203.0.113.7");
    expect(canonicalIp("2001:0DB8:0000:0000::0001")).toBe("2001:db8::1");
    for (const bad of ["203.0.113.256", "fe80::1%eth0", "", null]) expect(canonicalIp(bad)).toBeNull();
  });

  it("masks a visitor's IP for affiliates and merchants", () => {
    expect(maskIp("203.0.113.77")).toBe("203.0.113.x");
    expect(maskIp("2001:db8:1:2::7")).toBe("2001:db8:1::/48");
    expect(maskIp(null)).toBe("an unknown address");
  });
});

describe("windows", () => {
  it("ring counter: sums a window, forgets what leaves the ring, keeps late events inside it", () => {
    const ring = new RingCounter(1000, 5);
    ring.add(0);
    ring.add(1500, 2);
    ring.add(4999);
    expect(ring.sum(0, 4999)).toBe(4);
    expect(ring.total()).toBe(4);
    ring.add(6000); // buckets 0 and 1 leave the ring
    expect(ring.sum(0, 6999)).toBe(2);
    expect(ring.total()).toBe(2);
    ring.add(2500); // late, still inside the ring
    expect(ring.at(2500)).toBe(1);
    ring.add(500); // older than the ring: dropped
    expect(ring.total()).toBe(3);
    ring.add(60_000); // a long gap clears everything
    expect(ring.total()).toBe(1);
    ring.advanceTo(62_500); // moving the end forward forgets what falls out, adds nothing
    expect(ring.total()).toBe(1);
    ring.advanceTo(70_000);
    expect(ring.total()).toBe(0);
  });

  it("keyed counter: per-key counts in a window, capped key count", () => {
    const counter = new KeyedWindowCounter(1000, 3, 2);
    counter.add("a", 0);
    counter.add("a", 900);
    counter.add("b", 1100);
    counter.add("c", 1200); // a third key in a full bucket... bucket 1 has only b: accepted
    counter.add("d", 1300); // bucket 1 now holds b and c: d overflows
    expect(counter.count("a", 0, 2999)).toBe(2);
    expect(counter.count("d", 0, 2999)).toBe(0);
    expect(counter.overflow).toBe(1);
    counter.add("a", 3500); // bucket 0 leaves the window
    expect(counter.count("a", 0, 3999)).toBe(1);
  });

  it("sketch: heavy hitters found, lower bounds never overstate", () => {
    const sketch = new TopKSketch(4);
    for (let i = 0; i < 1000; i++) sketch.add(i % 10 < 6 ? "farm" : `noise-${i}`);
    const bounds = new Map<string, number>();
    sketch.collectLowerBounds(bounds);
    expect(bounds.get("farm")).toBeLessThanOrEqual(600);
    expect(bounds.get("farm")).toBeGreaterThan(450);
    for (const [key, count] of bounds) if (key !== "farm") expect(count).toBeLessThanOrEqual(1);

    const ring = new SketchRing(1000, 3, 4);
    for (let t = 0; t < 3000; t += 10) ring.add(t < 1000 ? "old" : "new", t);
    expect(ring.top(1000, 2999, 1)).toEqual({ total: 200, top: [{ key: "new", count: 200 }] });
  });
});

describe("score", () => {
  it("combines severities as independent chances", () => {
    expect(riskScore([])).toBe(0);
    expect(riskScore([60])).toBe(60);
    expect(riskScore([50, 50])).toBe(75);
    expect(riskScore([100, 10])).toBe(100);
    expect(riskScore([30, 30, 30])).toBe(66);
  });
});

describe("user agents", () => {
  it("finds automation markers, not browsers", () => {
    expect(headlessMarker("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/131.0.0.0 Safari/537.36")).toBe("HeadlessChrome");
    expect(headlessMarker("python-requests/2.32.3")).toBe("Python HTTP client");
    expect(headlessMarker("curl/8.5.0")).toBe("curl");
    expect(headlessMarker("")).toBe("empty user agent");
    expect(headlessMarker("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Version/18.1 Mobile/15E148 Safari/604.1")).toBeNull();
  });
});
