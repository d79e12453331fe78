// Writes the demo program: one transaction on one connection, each table in one `INSERT … SELECT FROM unnest`
// statement, so a seed is all-or-nothing and takes well under a few seconds.
import type pg from "pg";
import { hashPassword } from "../auth/password";
import { bulkInsert } from "../db/bulk-insert";
import { postbackTokenFields } from "../merchants/postback-token";
import { createClickIdCodec } from "../tracking/click-id";
import { buildDemoProgram, demoLinkCount } from "./demo-program";

/** Serialises concurrent seeders (two `npm start` on one database): the second sees the first one's rows. */
const SEED_LOCK = 5_114_223;

export type DemoProgram = ReturnType<typeof buildDemoProgram>;

/** Seeds when the database has no users; returns the program written, or null when it was not empty. */
export async function seedDemoProgram(
  pool: pg.Pool,
  { password, clickIdSecret, now = new Date() }: { password: string; clickIdSecret: string; now?: Date },
): Promise<DemoProgram | null> {
  const passwordHash = await hashPassword(password);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [SEED_LOCK]);
    const { rows: existing } = await client.query("SELECT 1 FROM users LIMIT 1");
    if (existing.length) {
      await client.query("ROLLBACK");
      return null;
    }
    const { rows: ids } = await client.query<{ id: number }>(
      `SELECT nextval(pg_get_serial_sequence('links', 'id'))::int AS id FROM generate_series(1, $1)`,
      [demoLinkCount()],
    );
    const codec = createClickIdCodec(clickIdSecret);
    const program = buildDemoProgram({ now, linkIds: ids.map((r) => r.id), signClick: codec.sign, passwordHash });
    await writeProgram(client, program);
    await client.query("COMMIT");
    return program;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function writeProgram(client: pg.ClientBase, p: DemoProgram) {
  await client.query(
    `INSERT INTO program_settings (id, name, "payoutMinimums", "payoutSchedule", "updatedAt") VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
    [p.settings.id, p.settings.name, JSON.stringify(p.settings.payoutMinimums), p.settings.payoutSchedule, p.settings.updatedAt],
  );
  const merchants = p.merchants.map((m) => ({ id: m.id, name: m.name, defaultCurrency: m.defaultCurrency, ...postbackTokenFields(m.token) }));
  await bulkInsert(client, "merchants", { id: "text", name: "text", defaultCurrency: "text", postbackTokenHash: "text", postbackTokenPrefix: "text" }, merchants);
  await bulkInsert(client, "offers", {
    id: "text", merchantId: "text", name: "text", payoutModel: '"PayoutModel"', cpaAmountMinor: "int4", revshareBps: "int4",
    currency: "text", attributionWindowDays: "int4", holdingPeriodDays: "int4", createdAt: "timestamptz",
  }, p.offers);
  await bulkInsert(client, "fx_rates", { id: "text", base: "text", quote: "text", rate: "numeric", asOf: "date" }, p.fxRates);
  await bulkInsert(client, "commission_tiers", { id: "text", offerId: "text", minConversions: "int4", cpaAmountMinor: "int4" }, p.tiers);
  await bulkInsert(client, "affiliates", {
    id: "text", name: "text", email: "text", payoutMethod: '"PayoutMethod"', payoutDetails: "jsonb", currency: "text", taxForm: '"TaxForm"',
    taxInfo: "jsonb", payoutBlocker: "text", createdAt: "timestamptz",
  }, p.affiliates);
  await bulkInsert(client, "links", {
    id: "int4", slug: "text", affiliateId: "text", offerId: "text", destinationUrl: "text", active: "bool", createdAt: "timestamptz", updatedAt: "timestamptz",
  }, p.links);
  await bulkInsert(client, "users", {
    id: "text", email: "text", name: "text", passwordHash: "text", role: '"Role"', affiliateId: "text", merchantId: "text",
  }, p.users);
  await bulkInsert(client, "clicks", {
    id: "text", linkId: "int4", affiliateId: "text", offerId: "text", createdAt: "timestamptz", ip: "text", userAgent: "text",
    referer: "text", sub1: "text", billable: "bool", isBot: "bool", isRepeat: "bool",
  }, p.clicks);
  await bulkInsert(client, "conversions", {
    id: "text", merchantId: "text", offerId: "text", affiliateId: "text", linkId: "int4", clickId: "text", clickedAt: "timestamptz",
    txnId: "text", customerId: "text", amountMinor: "int4", currency: "text", status: '"ConversionStatus"', ip: "text", sub1: "text",
    touchPath: "jsonb", createdAt: "timestamptz", updatedAt: "timestamptz",
  }, p.conversions);
  await bulkInsert(client, "payout_runs", {
    id: "text", status: '"PayoutRunStatus"', periodEnd: "timestamptz", createdById: "text", approvedById: "text",
    approvedAt: "timestamptz", paidAt: "timestamptz", createdAt: "timestamptz",
  }, [p.payoutRun]);
  await bulkInsert(client, "payout_batches", {
    id: "text", runId: "text", method: '"PayoutMethod"', currency: "text", status: '"PayoutBatchStatus"', payoutCount: "int4", totalMinor: "int8",
    approvedById: "text", approvedAt: "timestamptz", exportedAt: "timestamptz", sentAt: "timestamptz", settledAt: "timestamptz", createdAt: "timestamptz",
  }, p.payoutBatches);
  await bulkInsert(client, "payouts", {
    id: "text", runId: "text", batchId: "text", affiliateId: "text", amountMinor: "int8", currency: "text", method: '"PayoutMethod"',
    status: '"PayoutStatus"', commissionCount: "int4", recipientName: "text", recipient: "text", recipientDetails: "jsonb",
    cutoff: "timestamptz", commissionsSettledAt: "timestamptz", sentAt: "timestamptz", paidAt: "timestamptz", createdAt: "timestamptz",
  }, p.payouts);
  await bulkInsert(client, "commissions", {
    id: "text", conversionId: "text", affiliateId: "text", offerId: "text", amountMinor: "int4", currency: "text",
    status: '"CommissionStatus"', calculation: "text", holdUntil: "timestamptz", approvedAt: "timestamptz", paidAt: "timestamptz",
    payoutId: "text", reversedAt: "timestamptz", createdAt: "timestamptz", updatedAt: "timestamptz",
  }, p.commissions);
}
