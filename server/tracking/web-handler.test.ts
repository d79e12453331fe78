import { afterAll, describe, expect, it } from "vitest";
import { closeDb, getPool } from "../db";
import type { ClickTracking } from "./index";
import { createTestLink } from "./test-support";
import { handleGoRequest } from "./web-handler";

const tracking = () => (globalThis as unknown as { __goTracking?: Promise<ClickTracking> }).__goTracking!;

afterAll(async () => {
  await (await tracking()).stop();
  await closeDb();
});

describe("/go through Web Request/Response (Next's proxy.ts)", () => {
  it("redirects with the same core and stores the click; encoded tricks get the 404 page", async () => {
    const { link } = await createTestLink({ destinationUrl: "https://shop.example/from-proxy" });
    const request = (path: string) =>
      new Request(`http://localhost:3000${path}`, { headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "x-forwarded-for": "203.0.113.50" } });
    await handleGoRequest(request("/go/warm-up-the-cache"));
    const cache = (await tracking()).cache;
    while (!cache.get(link.slug)) await new Promise((r) => setTimeout(r, 10));

    const res = await handleGoRequest(request(`/go/${link.slug}?sub1=p`));
    expect(res.status).toBe(302);
    const location = res.headers.get("location")!;
    expect(location).toMatch(/^https:\/\/shop\.example\/from-proxy\?click_id=[-\w]{30}&sub1=p$/);

    for (const path of ["/go/%2F%2Fevil.example", "/go/https:%2F%2Fevil.example", `/go/${link.slug}%2F..%2Fx`]) {
      const bad = await handleGoRequest(request(path));
      expect(bad.status).toBe(404);
      expect(bad.headers.get("location")).toBeNull();
    }

    const post = await handleGoRequest(new Request(`http://localhost:3000/go/${link.slug}`, { method: "POST" }));
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");

    await (await tracking()).sink.flushAll();
    const clickId = new URL(location).searchParams.get("click_id");
    const { rows } = await getPool().query(`SELECT ip, sub1, billable FROM clicks WHERE id = $1`, [clickId]);
    expect(rows).toEqual([{ ip: "203.0.113.50", sub1: "p", billable: true }]);
  });
});
