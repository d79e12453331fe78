import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getPool } from "../db";
import { clientIp } from "../http/client-ip";
import { metrics } from "../http/metrics";
import { closeServer, createAppServer } from "../http/server";
import { type ClickEvent, onClick } from "./click-events";
import { type ClickTracking, startClickTracking } from "./index";
import { NOT_FOUND_PAGE } from "./go-route";
import { createTestLink } from "./test-support";

const BROWSER = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

let tracking: ClickTracking;
let server: ReturnType<typeof createAppServer>;
let base: string;

beforeAll(async () => {
  tracking = await startClickTracking({ main: false });
  server = createAppServer({ routes: [...tracking.routes, { prefix: "/metrics", methods: ["GET"], handle: metrics }] });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await closeServer(server);
  await tracking.stop();
  await closeDb();
});

const go = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { redirect: "manual", ...init, headers: { "user-agent": BROWSER, ...(init.headers as Record<string, string>) } });

describe("/go over HTTP", () => {
  it("redirects, announces the click to listeners, and stores it with its flags; HEAD and bots are not billable", async () => {
    const { link } = await createTestLink({ destinationUrl: "https://shop.example/item" });
    while (!tracking.cache.get(link.slug)) await new Promise((r) => setTimeout(r, 10)); // its NOTIFY reload
    const seen: ClickEvent[] = [];
    const off = onClick((c) => c.linkId === link.id && seen.push(c));
    try {
      const first = await go(`/go/${link.slug}?sub1=a`, { headers: { referer: "https://blog.example/post" } });
      expect(first.status).toBe(302);
      expect(first.headers.get("cache-control")).toBe("private, no-store");
      const location = first.headers.get("location")!;
      expect(location).toMatch(/^https:\/\/shop\.example\/item\?click_id=[-\w]{30}&sub1=a$/);

      expect((await go(`/go/${link.slug}`)).status).toBe(302); // same visitor again: a repeat
      const head = await go(`/go/${link.slug}`, { method: "HEAD" });
      expect(head.status).toBe(302);
      const bot = await go(`/go/${link.slug}`, { headers: { "user-agent": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)" } });
      expect(bot.status).toBe(302);

      expect(seen.map((c) => [c.billable, c.isBot, c.isRepeat])).toEqual([
        [true, false, false],
        [true, false, true],
        [false, false, true],
        [false, true, false],
      ]);
      await tracking.sink.flushAll();
      const { rows } = await getPool().query(
        `SELECT id, ip, referer, sub1, billable, "isBot", "isRepeat" FROM clicks WHERE "linkId" = $1 ORDER BY id`,
        [link.id],
      );
      expect(rows).toEqual(
        seen.map((c, i) => ({
          id: c.clickId, ip: "127.0.0.1", referer: i === 0 ? "https://blog.example/post" : null, sub1: i === 0 ? "a" : null,
          billable: c.billable, isBot: c.isBot, isRepeat: c.isRepeat,
        })),
      );
      expect(location).toContain(rows[0].id);
    } finally {
      off();
      tracking.sink.start();
    }
  });

  it("answers other methods than GET and HEAD with 405 and records no click", async () => {
    const { link } = await createTestLink();
    while (!tracking.cache.get(link.slug)) await new Promise((r) => setTimeout(r, 10));
    for (const method of ["POST", "PUT", "DELETE", "OPTIONS", "PATCH"]) {
      const res = await go(`/go/${link.slug}`, { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.get("allow")).toBe("GET, HEAD");
      expect(res.headers.get("location")).toBeNull();
    }
    await tracking.sink.flushAll();
    tracking.sink.start();
    const { rows } = await getPool().query(`SELECT count(*)::int AS n FROM clicks WHERE "linkId" = $1`, [link.id]);
    expect(rows[0].n).toBe(0);
  });

  it("answers unknown slugs with the 404 page (no body for HEAD) unless a fallback is configured", async () => {
    // No test sets the program's fallback on this shared database (server/program/settings.test.ts has its own).
    const res = await go("/go/no-such-link-anywhere");
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(NOT_FOUND_PAGE);
    const page = await go("/go/%2F%2Fevil.example");
    expect(page.status).toBe(404);
    expect(page.headers.get("location")).toBeNull();
    const head = await go("/go/no-such-link-anywhere", { method: "HEAD" });
    expect(head.status).toBe(404);
    expect(await head.text()).toBe("");
  });

  it("GET /metrics reports outcomes, latency, batches, buffer depth, drops and cache size in Prometheus format", async () => {
    await go("/go/no-such-link-anywhere");
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    for (const line of [
      /^go_redirects_total\{outcome="redirect"\} [1-9]/m,
      /^go_redirects_total\{outcome="not_found"\} [1-9]/m,
      /^go_redirect_duration_seconds_count [1-9]/m,
      /^click_batch_rows_count [1-9]/m,
      /^click_flush_duration_seconds_bucket\{le="0.1"\} /m,
      /^click_buffer_depth \d+$/m,
      /^# TYPE clicks_dropped_total counter$/m,
      new RegExp(`^link_cache_size ${tracking.cache.size}$`, "m"),
    ]) {
      expect(text).toMatch(line);
    }
  });
});

describe("client IP", () => {
  const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff ? { "x-forwarded-for": xff } : {} }) as unknown as IncomingMessage;

  it("uses the socket address and ignores X-Forwarded-For unless proxies are trusted", () => {
    expect(clientIp(req("::ffff:198.51.100.7", "1.2.3.4"), 0)).toBe("198.51.100.7");
    expect(clientIp(req("2001:db8::1"), 0)).toBe("2001:db8::1");
  });

  it("with N trusted hops takes the N-th address from the right, never what the client wrote further left", () => {
    expect(clientIp(req("10.0.0.2", "6.6.6.6, 203.0.113.5"), 1)).toBe("203.0.113.5");
    expect(clientIp(req("10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.9"), 2)).toBe("203.0.113.5");
    expect(clientIp(req("10.0.0.2", "203.0.113.5"), 3)).toBe("203.0.113.5");
    expect(clientIp(req("10.0.0.2"), 1)).toBe("10.0.0.2");
  });
});
