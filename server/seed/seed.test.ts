import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_LOGINS } from "../../prisma/demo-logins";
import { verifyPassword } from "../auth/password";
import { migrate } from "../db/migrate";
import { hashPostbackToken } from "../merchants/postback-token";
import { createScratchDatabase } from "../testing/scratch-db";
import { createClickIdCodec } from "../tracking/click-id";
import { DEMO_CLICKS, DEMO_CONVERSIONS, DEMO_FX_DAYS, DEMO_POSTBACK_TOKEN, DEMO_SLUG } from "./demo-program";
import { seedDemoProgram } from "./write";

const SECRET = "seed-test-click-secret-0123456789abcdef";
const DAY = 86_400_000;

let database: Awaited<ReturnType<typeof createScratchDatabase>>;
let pool: pg.Pool;
const now = new Date();

const one = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await pool.query<T>(sql, params)).rows[0]!;

beforeAll(async () => {
  // Seeding only happens on an empty database, so this test has a database of its own.
  database = await createScratchDatabase("seed");
  await migrate(database.url);
  pool = new pg.Pool({ connectionString: database.url, max: 4 });
});

afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

describe("demo seed", () => {
  it("creates the demo program once, and leaves a database with users alone", async () => {
    const program = await seedDemoProgram(pool, { password: DEMO_LOGINS.password, clickIdSecret: SECRET, now });
    expect(program).not.toBeNull();
    expect(await seedDemoProgram(pool, { password: DEMO_LOGINS.password, clickIdSecret: SECRET, now })).toBeNull();

    const counts = await one<Record<string, number>>(`SELECT
      (SELECT count(*)::int FROM merchants) AS merchants, (SELECT count(*)::int FROM offers) AS offers,
      (SELECT count(*)::int FROM affiliates) AS affiliates, (SELECT count(*)::int FROM links) AS links,
      (SELECT count(*)::int FROM clicks) AS clicks, (SELECT count(*)::int FROM conversions) AS conversions,
      (SELECT count(*)::int FROM commissions) AS commissions, (SELECT count(*)::int FROM users) AS users,
      (SELECT count(*)::int FROM program_settings) AS settings`);
    expect(counts).toMatchObject({ merchants: 2, offers: 3, affiliates: 20, clicks: DEMO_CLICKS, conversions: DEMO_CONVERSIONS, commissions: DEMO_CONVERSIONS, users: 4, settings: 1 });
    expect(counts.links).toBeGreaterThanOrEqual(40);
    expect(counts.links).toBeLessThanOrEqual(60);
  });

  it("has the offer mix: CPA and revenue share, EUR and USD, one with tiers", async () => {
    const { rows } = await pool.query(`SELECT "payoutModel", currency, (SELECT count(*)::int FROM commission_tiers t WHERE t."offerId" = o.id) AS tiers FROM offers o`);
    expect(new Set(rows.map((r) => r.payoutModel))).toEqual(new Set(["CPA", "REVSHARE"]));
    expect(new Set(rows.map((r) => r.currency))).toEqual(new Set(["EUR", "USD"]));
    expect(rows.filter((r) => r.tiers > 0)).toHaveLength(1);
    // Commissions come from the real calculation: busy affiliates reach the tiered offer's 20+ rate (10.00).
    const { rows: rates } = await pool.query(
      `SELECT DISTINCT c."amountMinor" FROM commissions c JOIN commission_tiers t ON t."offerId" = c."offerId" ORDER BY 1`,
    );
    expect(rates.map((r) => r.amountMinor)).toEqual(expect.arrayContaining([800, 1000]));
  });

  it("puts the `demo` link on an offer of the merchant whose postback token is demo-token", async () => {
    const row = await one(
      `SELECT m."postbackTokenHash", m."postbackTokenPrefix", l.active FROM links l JOIN offers o ON o.id = l."offerId" JOIN merchants m ON m.id = o."merchantId" WHERE l.slug = $1`,
      [DEMO_SLUG],
    );
    expect(row).toEqual({ postbackTokenHash: hashPostbackToken(DEMO_POSTBACK_TOKEN), postbackTokenPrefix: "demo-t", active: true });
  });

  it("signs the demo logins in with the documented password, linked to their rows", async () => {
    const { rows } = await pool.query(
      `SELECT u.email, u.role, u."passwordHash", a.id AS "affiliateOwnsDemo", m."postbackTokenHash"
       FROM users u
       LEFT JOIN links l ON l."affiliateId" = u."affiliateId" AND l.slug = $1
       LEFT JOIN affiliates a ON a.id = l."affiliateId"
       LEFT JOIN merchants m ON m.id = u."merchantId"
       ORDER BY u.email`,
      [DEMO_SLUG],
    );
    expect(rows.map((r) => [r.email, r.role])).toEqual([
      ["affiliate@demo.test", "AFFILIATE"],
      ["coupons@demo.test", "AFFILIATE"],
      ["manager@demo.test", "MANAGER"],
      ["merchant@demo.test", "MERCHANT"],
    ]);
    expect(rows.map((r) => r.email)).toEqual([...DEMO_LOGINS.emails]);
    for (const row of rows) {
      expect(await verifyPassword(DEMO_LOGINS.password, row.passwordHash)).toBe(true);
      expect(await verifyPassword("wrong-password", row.passwordHash)).toBe(false);
    }
    expect(rows[0].affiliateOwnsDemo).not.toBeNull();
    expect(rows[1].affiliateOwnsDemo).toBeNull();
    expect(rows[3].postbackTokenHash).toBe(hashPostbackToken(DEMO_POSTBACK_TOKEN));
  });

  it("spreads clicks over the last 30 days with valid signed ids naming their link", async () => {
    const span = await one<{ oldest: Date; newest: Date; days: number }>(
      `SELECT min("createdAt") AS oldest, max("createdAt") AS newest, count(DISTINCT date_trunc('day', "createdAt", 'UTC'))::int AS days FROM clicks`,
    );
    expect(span.oldest.getTime()).toBeGreaterThanOrEqual(now.getTime() - 30 * DAY);
    expect(span.newest.getTime()).toBeLessThanOrEqual(now.getTime());
    expect(span.days).toBe(30);
    const codec = createClickIdCodec(SECRET);
    const { rows } = await pool.query<{ id: string; linkId: number; createdAt: Date }>(`SELECT id, "linkId", "createdAt" FROM clicks ORDER BY random() LIMIT 50`);
    for (const click of rows) expect(codec.verify(click.id)).toEqual({ ok: true, linkId: click.linkId, clickedAt: click.createdAt });
  });

  it("attributes conversions to real clicks, with commissions whose status follows their age", async () => {
    const orphans = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversions v LEFT JOIN clicks c ON c.id = v."clickId" WHERE c.id IS NULL OR c."linkId" <> v."linkId" OR v."createdAt" < c."createdAt"`,
    );
    expect(orphans.n).toBe(0);
    const { rows } = await pool.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM commissions GROUP BY 1`);
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    for (const status of ["PENDING", "APPROVED", "PAID"]) expect(byStatus[status], status).toBeGreaterThan(20);
    const inconsistent = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM commissions WHERE (status = 'PENDING' AND "holdUntil" <= $1) OR (status IN ('APPROVED', 'PAID') AND "holdUntil" > $1)`,
      [now],
    );
    expect(inconsistent.n).toBe(0);
  });

  it("gives some conversions touch paths of 2–4 real clicks of the same merchant, the paid click last", async () => {
    const { rows } = await pool.query<{ touches: number; n: number }>(`SELECT jsonb_array_length("touchPath")::int AS touches, count(*)::int AS n FROM conversions GROUP BY 1 ORDER BY 1`);
    const byLength = Object.fromEntries(rows.map((r) => [r.touches, r.n]));
    expect(Object.keys(byLength).map(Number).every((n) => n >= 1 && n <= 4)).toBe(true);
    expect(byLength[1]).toBeGreaterThan(DEMO_CONVERSIONS / 2);
    expect((byLength[2] ?? 0) + (byLength[3] ?? 0) + (byLength[4] ?? 0)).toBeGreaterThan(30);
    const wrong = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversions v
       CROSS JOIN LATERAL jsonb_array_elements(v."touchPath") WITH ORDINALITY AS t(touch, i)
       LEFT JOIN clicks c ON c.id = t.touch->>'clickId'
       LEFT JOIN offers o ON o.id = c."offerId"
       WHERE c.id IS NULL OR o."merchantId" <> v."merchantId" OR c."affiliateId" <> t.touch->>'affiliateId'
          OR c."createdAt" > v."clickedAt" OR c."createdAt" < v."clickedAt" - interval '30 days'
          OR (t.i = jsonb_array_length(v."touchPath") AND c.id <> v."clickId")`,
    );
    expect(wrong.n).toBe(0);
    const mixed = await one<{ n: number }>(`SELECT count(DISTINCT v."affiliateId")::int AS n FROM conversions v WHERE jsonb_array_length(v."touchPath") > 1`);
    expect(mixed.n).toBeGreaterThan(3);
  });

  it("stores a EUR/USD rate for each of the last days, today included", async () => {
    const rates = await one<{ n: number; newest: string; oldest: string; pairs: number }>(
      `SELECT count(*)::int AS n, max("asOf")::text AS newest, min("asOf")::text AS oldest, count(DISTINCT (base, quote))::int AS pairs FROM fx_rates`,
    );
    expect(rates).toEqual({ n: DEMO_FX_DAYS, newest: now.toISOString().slice(0, 10), oldest: new Date(now.getTime() - (DEMO_FX_DAYS - 1) * DAY).toISOString().slice(0, 10), pairs: 1 });
    const { rows } = await pool.query<{ rate: string }>(`SELECT rate::text FROM fx_rates WHERE base = 'EUR' AND quote = 'USD'`);
    for (const { rate } of rows) expect(rate).toMatch(/^1\.\d{10}$/);
  });

  it("pays PAID commissions through one payout per affiliate and currency that adds up", async () => {
    const mismatch = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM payouts p
       WHERE p."amountMinor" <> (SELECT sum(c."amountMinor") FROM commissions c WHERE c."payoutId" = p.id AND c.currency = p.currency AND c."affiliateId" = p."affiliateId")`,
    );
    expect(mismatch.n).toBe(0);
    const unpaid = await one<{ n: number }>(`SELECT count(*)::int AS n FROM commissions WHERE (status = 'PAID') <> ("payoutId" IS NOT NULL)`);
    expect(unpaid.n).toBe(0);
  });
});
