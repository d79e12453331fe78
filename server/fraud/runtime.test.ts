// The engine's I/O on the real database: traffic rebuilt from Postgres at start, clicks followed from the click
// stream, manager changes (rules, thresholds, block list, affiliates' own IPs) and sign-ins applied through
// LISTEN/NOTIFY without a restart, and the starter block list seeded once.
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { authenticate } from "../auth/options";
import { db } from "../db";
import { migrate } from "../db/migrate";
import { deliverClickEvents, emitClick } from "../tracking/click-events";
import { FIXTURE_PASSWORD, callerFor, createManager, createProgram, unique } from "../testing/fixtures";
import { createScratchDatabase } from "../testing/scratch-db";
import { FraudEngine } from "./engine";
import { type FraudRuntime, rebuildTraffic, startRuntime } from "./runtime";
import { STARTER_BLOCKLIST, seedStarterBlocklist } from "./starter-blocklist";
import { DAY, HOUR, MINUTE, SECOND } from "./traffic";
import type { ConversionCandidate } from "./types";

function candidate(program: Awaited<ReturnType<typeof createProgram>>, fields: Partial<ConversionCandidate>): ConversionCandidate {
  const now = Date.now();
  return {
    merchantId: program.merchant.id,
    offerId: program.offer.id,
    affiliateId: program.affiliate.id,
    linkId: program.link.id,
    clickId: unique("click"),
    clickedAt: new Date(now - 30 * MINUTE),
    receivedAt: new Date(now),
    customerId: null,
    ip: null,
    amountMinor: 1000,
    currency: "EUR",
    txnId: unique("txn"),
    ...fields,
  };
}

const codes = (engine: FraudEngine, c: ConversionCandidate) => engine.evaluate(c).flags.map((f) => f.code);

async function until(check: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("rebuild from Postgres", () => {
  it("restores velocity, recent clicks, conversion delays and hourly history", async () => {
    const program = await createProgram();
    const { affiliate, link, offer, merchant } = program;
    const now = Date.now();
    const clickRow = (id: string, at: number, ip: string) => ({ id, linkId: link.id, affiliateId: affiliate.id, offerId: offer.id, createdAt: new Date(at), ip, userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0" });
    // A burst from one IP ten minutes ago, and a quiet week of history three days back.
    const burst = Array.from({ length: 25 }, (_, i) => clickRow(unique("burst"), now - 10 * MINUTE + i * SECOND, "86.140.7.7"));
    const history = Array.from({ length: 600 }, (_, i) => clickRow(unique("old"), now - 3 * DAY + i * 30 * SECOND, `90.12.${i % 250}.${1 + (i % 7)}`));
    await db.click.createMany({ data: [...burst, ...history] });
    // Twelve conversions in the last two days, each three days after its click: click spamming's signature.
    await db.conversion.createMany({
      data: Array.from({ length: 12 }, (_, i) => ({
        merchantId: merchant.id, offerId: offer.id, affiliateId: affiliate.id, linkId: link.id, clickId: unique("late"),
        clickedAt: new Date(now - 3 * DAY - i * HOUR), createdAt: new Date(now - i * HOUR), txnId: unique("txn"), amountMinor: 100, currency: "EUR", status: "PENDING" as const,
      })),
    });

    const engine = new FraudEngine({ log: () => {} });
    const rebuilt = await rebuildTraffic(engine, now);
    expect(rebuilt.clicks).toBeGreaterThanOrEqual(25);

    expect(engine.traffic.click(burst.at(-1)!.id)).toMatchObject({ ip: "86.140.7.7", ipClicks: 25 });
    expect(engine.traffic.conversionRates(affiliate.id, DAY, now).affiliate).toMatchObject({ baselineClicks: 600, recentConversions: 12 });
    const flags = codes(engine, candidate(program, { clickId: burst.at(-1)!.id, clickedAt: new Date(now - 10 * MINUTE + 24 * SECOND), receivedAt: new Date(now) }));
    expect(flags).toEqual(expect.arrayContaining(["click_velocity", "click_spamming"]));
  });
});

const api = callerFor(await createManager());

describe("live updates", () => {
  const engine = new FraudEngine({ log: () => {} });
  let runtime: FraudRuntime;

  afterAll(async () => {
    await api.fraud.updateRule({ code: "fast_conversion", enabled: true, severity: 60, params: {} });
    await api.fraud.updateThresholds({ reviewAt: 30, holdAt: 60 });
    await runtime?.stop();
  });

  it("follows the click stream", async () => {
    // The periodic reload is an hour away: whatever changes below arrived by NOTIFY.
    runtime = await startRuntime(engine, { reloadEveryMs: HOUR, log: () => {} });
    const clickId = unique("live");
    emitClick({ clickId, linkId: 1, affiliateId: "aff-live", offerId: "o", at: Date.now(), ip: "86.140.9.9", userAgent: "HeadlessChrome/131", isBot: false, isRepeat: false, billable: true });
    deliverClickEvents();
    expect(engine.traffic.click(clickId)).toMatchObject({ affiliateId: "aff-live", ip: "86.140.9.9" });
  });

  it("applies a rule change without a restart", async () => {
    const program = await createProgram();
    const fiveSeconds = (p = program) => candidate(p, { clickedAt: new Date(Date.now() - 5 * SECOND) });
    expect(codes(engine, fiveSeconds())).toContain("fast_conversion");

    await api.fraud.updateRule({ code: "fast_conversion", enabled: true, severity: 60, params: { minSeconds: 2 } });
    await until(() => (engine.getConfig().rules.get("fast_conversion")!.params as { minSeconds: number }).minSeconds === 2, "the new threshold");
    expect(codes(engine, fiveSeconds())).not.toContain("fast_conversion");

    await api.fraud.updateRule({ code: "fast_conversion", enabled: false, severity: 60, params: { minSeconds: 30 } });
    await until(() => !engine.getConfig().rules.get("fast_conversion")!.enabled, "the rule switched off");
    expect(codes(engine, fiveSeconds())).not.toContain("fast_conversion");
  });

  it("applies new score thresholds without a restart", async () => {
    const program = await createProgram();
    await api.fraud.updateRule({ code: "fast_conversion", enabled: true, severity: 60, params: {} });
    await until(() => engine.getConfig().rules.get("fast_conversion")!.enabled, "the rule back on");
    // Every conversion here comes 5 s after its click, which click_to_conversion_time (added later) rightly flags from
    // the third on: off, so the thresholds act on fast_conversion's 60 alone.
    await api.fraud.updateRule({ code: "click_to_conversion_time", enabled: false, severity: 60, params: {} });
    await until(() => !engine.getConfig().rules.get("click_to_conversion_time")!.enabled, "the distribution rule off");
    const decision = () => engine.evaluate(candidate(program, { clickedAt: new Date(Date.now() - 5 * SECOND) })).decision;
    expect(decision()).toBe("HOLD"); // one rule at 60, holdAt 60

    await api.fraud.updateThresholds({ reviewAt: 50, holdAt: 70 });
    await until(() => engine.getConfig().thresholds.holdAt === 70, "the new hold threshold");
    expect(decision()).toBe("REVIEW");

    await api.fraud.updateThresholds({ reviewAt: 65, holdAt: 70 });
    await until(() => engine.getConfig().thresholds.reviewAt === 65, "the new review threshold");
    expect(decision()).toBe("PASS");
  });

  it("applies affiliates' own IPs and customers, and new sign-in IPs, without a restart", async () => {
    const program = await createProgram();
    const selfReferral = (fields: Partial<ConversionCandidate>) => engine.evaluate(candidate(program, fields)).flags.find((f) => f.code === "self_referral");
    expect(selfReferral({ ip: "203.0.113.40", customerId: "own-account" })).toBeUndefined();

    await api.fraud.updateIdentities({ affiliateId: program.affiliate.id, knownIps: ["203.0.113.40"], knownCustomers: ["own-account"] });
    await until(() => selfReferral({ ip: "203.0.113.40" }) !== undefined, "the listed IP");
    expect(selfReferral({ customerId: "own-account" })?.evidence).toMatchObject({ signal: "known_customer" });

    await authenticate(program.affiliate.user.email, FIXTURE_PASSWORD, "198.51.100.41");
    await until(() => selfReferral({ ip: "198.51.100.41" }) !== undefined, "the sign-in IP");
    expect(selfReferral({ ip: "198.51.100.41" })?.explanation).toBe("the conversion came from 198.51.100.41, an IP this affiliate signed in from");
  });

  it("applies a block-list change without a restart", async () => {
    const program = await createProgram();
    const cidr = `198.19.${1 + Math.floor(Math.random() * 250)}.0/24`;
    const ip = cidr.replace("0/24", "77");
    expect(codes(engine, candidate(program, { ip }))).not.toContain("non_human");
    const block = await api.fraud.addBlock({ cidr, label: "test hosting" });
    try {
      await until(() => codes(engine, candidate(program, { ip })).includes("non_human"), "the new block");
      expect(engine.evaluate(candidate(program, { ip })).flags[0]!.explanation).toBe(`the conversion came from ${ip}, inside ${cidr} (test hosting), a blocked data-centre range`);
    } finally {
      await api.fraud.removeBlock({ id: block.id });
    }
    await until(() => !codes(engine, candidate(program, { ip })).includes("non_human"), "the block removed");
  });
});

describe("the starter block list", () => {
  it("is seeded once: a list a manager emptied stays empty on the next boot", async () => {
    // Seeding depends on the whole table, so this test has a database of its own.
    const database = await createScratchDatabase("blocklist");
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on("error", () => {}); // the forced drop below may end a client the pool is still closing
    try {
      await migrate(database.url);
      const count = async () => (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ip_blocks`)).rows[0]!.n;
      expect(await seedStarterBlocklist(pool)).toBe(STARTER_BLOCKLIST.length);
      expect(await seedStarterBlocklist(pool)).toBe(0); // a second boot
      expect(await count()).toBe(STARTER_BLOCKLIST.length);

      await pool.query(`DELETE FROM ip_blocks`); // the manager removes every range
      expect(await seedStarterBlocklist(pool)).toBe(0);
      expect(await count()).toBe(0);
      const [marker] = (await pool.query(`SELECT params FROM fraud_rule_configs WHERE code = 'starter_blocklist'`)).rows;
      expect(marker.params).toMatchObject({ entries: STARTER_BLOCKLIST.length, seededAt: expect.any(String) });
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
