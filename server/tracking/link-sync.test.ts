import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db, getPool } from "../db";
import { env } from "../env";
import { LinkCache } from "./link-cache";
import { startLinkSync } from "./link-sync";
import { callerFor, createAffiliate, createManager, createOffer, unique } from "../testing/fixtures";
import { type ServerProcess, startServerProcess } from "../testing/server-process";
import { createTestLink } from "./test-support";

/** Polls until `check` holds; returns how long it took (ms) from `since`. */
async function within(check: () => boolean | Promise<boolean>, since: number, timeoutMs = 5_000): Promise<number> {
  while (!(await check())) {
    if (Date.now() - since > timeoutMs) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - since;
}

afterAll(closeDb);

describe("link cache sync (one process)", () => {
  it("follows inserts, edits, offer parameter changes, disabling, paused offers, suspended affiliates and deletes through LISTEN/NOTIFY", async () => {
    const cache = new LinkCache();
    const sync = await startLinkSync(cache, { pool: getPool(), databaseUrl: env().DATABASE_URL, resyncMs: 600_000, log: () => {} });
    try {
      const { link, offer } = await createTestLink({ destinationUrl: "https://a.example/" });
      await within(() => cache.get(link.slug)?.head === "https://a.example/?click_id=", Date.now(), 1_000);

      await db.link.update({ where: { id: link.id }, data: { destinationUrl: "https://b.example/x?y=1" } });
      await within(() => cache.get(link.slug)?.head === "https://b.example/x?y=1&click_id=", Date.now(), 1_000);

      await db.offer.update({ where: { id: offer.id }, data: { clickIdParam: "tid" } });
      await within(() => cache.get(link.slug)?.head === "https://b.example/x?y=1&tid=", Date.now(), 1_000);

      const renamed = unique("t");
      await db.link.update({ where: { id: link.id }, data: { slug: renamed } });
      await within(() => !cache.get(link.slug) && !!cache.get(renamed), Date.now(), 1_000);

      await db.link.update({ where: { id: link.id }, data: { active: false } });
      await within(() => !cache.get(renamed), Date.now(), 1_000);

      await db.link.update({ where: { id: link.id }, data: { active: true } });
      await within(() => !!cache.get(renamed), Date.now(), 1_000);

      // A paused offer or a suspended affiliate stops the link; resuming serves it again.
      await db.offer.update({ where: { id: offer.id }, data: { active: false } });
      await within(() => !cache.get(renamed), Date.now(), 1_000);
      await db.offer.update({ where: { id: offer.id }, data: { active: true } });
      await within(() => !!cache.get(renamed), Date.now(), 1_000);
      await db.affiliate.update({ where: { id: link.affiliateId }, data: { active: false } });
      await within(() => !cache.get(renamed), Date.now(), 1_000);
      await sync.resync(); // a full reload must agree
      expect(cache.get(renamed)).toBeUndefined();
      await db.affiliate.update({ where: { id: link.affiliateId }, data: { active: true } });
      await within(() => !!cache.get(renamed), Date.now(), 1_000);

      await db.link.delete({ where: { id: link.id } });
      await within(() => !cache.get(renamed), Date.now(), 1_000);
    } finally {
      await sync.stop();
    }
  });

  it("reconnects after losing its LISTEN connection and resyncs what changed while it was away", async () => {
    const cache = new LinkCache();
    const applicationName = `link-sync-test-${randomUUID().slice(0, 8)}`;
    const sync = await startLinkSync(cache, { pool: getPool(), databaseUrl: env().DATABASE_URL, resyncMs: 600_000, log: () => {}, applicationName });
    try {
      const { link } = await createTestLink({ destinationUrl: "https://before.example/" });
      await within(() => !!cache.get(link.slug), Date.now(), 1_000);
      // Kill the listener's backend and change the link in the same breath: that notification is lost, and only the
      // resync after the reconnect can bring the change.
      await getPool().query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [applicationName]);
      await getPool().query(`UPDATE links SET "destinationUrl" = 'https://after.example/' WHERE id = $1`, [link.id]);
      await within(() => cache.get(link.slug)?.head === "https://after.example/?click_id=", Date.now(), 5_000);
      // And it listens again.
      await db.link.update({ where: { id: link.id }, data: { active: false } });
      await within(() => !cache.get(link.slug), Date.now(), 1_000);
    } finally {
      await sync.stop();
    }
  });
});

describe("link cache coherence (two server processes on one database)", () => {
  it("a link created, edited and disabled through the managers' API is served by both instances within 1 s", async () => {
    // No periodic resync during the test: only LISTEN/NOTIFY can make it within the second.
    const servers: ServerProcess[] = await Promise.all([0, 1].map(() => startServerProcess({ env: { LINK_RESYNC_MS: "600000" } })));
    const location = async (server: ServerProcess, slug: string) => {
      const res = await fetch(`${server.url}/go/${slug}`, { redirect: "manual", headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" } });
      if (res.status === 404) return "not served";
      return res.headers.get("location")!.split("?")[0]!;
    };
    const everywhere = async (slug: string, expected: string, since: number) => {
      const waited = await Promise.all(servers.map((s) => within(async () => (await location(s, slug)) === expected, since)));
      expect(Math.max(...waited)).toBeLessThan(1_000);
    };
    try {
      const slug = unique("t");
      expect(await Promise.all(servers.map((s) => location(s, slug)))).toEqual(["not served", "not served"]);

      const api = callerFor(await createManager());
      const [affiliate, offer] = await Promise.all([createAffiliate({ withUser: false }), createOffer()]);
      let since = Date.now();
      const link = await api.links.create({ slug, affiliateId: affiliate.id, offerId: offer.id, destinationUrl: "https://first.example/landing" });
      await everywhere(slug, "https://first.example/landing", since);

      since = Date.now();
      await api.links.update({ id: link.id, destinationUrl: "https://second.example/landing" });
      await everywhere(slug, "https://second.example/landing", since);

      since = Date.now();
      await api.links.disable({ id: link.id });
      await everywhere(slug, "not served", since);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
  }, 60_000);
});
