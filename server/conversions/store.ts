// The postback's SQL. The hot path is two statements on one pooled connection, both by index:
//   1. CONTEXT: one read that resolves the token's merchant, an existing conversion with this txn_id, the click's
//      link and offer, the customer's first winner, the rate card (override, tiers, month count) and the FX rate;
//   2. CREATE: one statement whose data-modifying CTEs insert the conversion, its commission, the customer's
//      attribution, fraud flags, the outbox events and the postback log, then NOTIFY the relay. A single statement
//      is a transaction of its own: it commits whole or not at all, and a retry that lost the race on
//      (merchantId, txnId) inserts nothing (ON CONFLICT DO NOTHING leaves every CTE empty).
// Prisma's interactive transactions cost several round trips each; this path is measured in bench/postback.ts.
// Status changes (approve, refund) are rarer and use an explicit transaction with row locks.
// Time limits (how long a statement may run, on each side) are the postback pool's (pool.ts).
import { createHash } from "node:crypto";
import type pg from "pg";
import type { TouchLink } from "./attribution";
import type { ReasonCode } from "./reasons";
import { WAKE_RELAYS_SQL } from "../webhooks/wake";

import { type Queryable, statement } from "../db/sql";

export type { Queryable };
export { statement }; // the shared helpers' old home: callers in conversions keep importing them here

export interface TierRow {
  minConversions: number;
  cpaAmountMinor: number | null;
  revshareBps: number | null;
}

export interface ContextRow {
  merchant_id: string;
  token_hash: string;
  default_currency: string;
  existing_id: string | null;
  existing_status: ConversionStatus | null;
  /** The presented click's link (null when no click id was sent or the link is gone). */
  click_link_id: number | null;
  click_affiliate_id: string | null;
  click_merchant_id: string | null;
  click_window_days: number | null;
  /** The customer's first winner, when customer_id is already attributed. */
  customer_affiliate_id: string | null;
  first_click_id: string | null;
  first_clicked_at: Date | null;
  prior_touches: unknown;
  /** The link that gets paid: the presented click's, unless the customer was first won by another affiliate. */
  link_id: number | null;
  affiliate_id: string | null;
  offer_id: string | null;
  payout_model: "CPA" | "REVSHARE" | null;
  cpa_amount_minor: number | null;
  revshare_bps: number | null;
  offer_currency: string | null;
  holding_days: number | null;
  override_cpa: number | null;
  override_bps: number | null;
  tiers: TierRow[] | null;
  month_count: number | null;
  fx_id: string | null;
  fx_base: string | null;
  fx_quote: string | null;
  fx_rate: string | null;
  fx_as_of: string | null;
  /** The links of the postback's verified `touches` (null when none were sent). */
  touch_links: TouchLink[] | null;
  /**
   * The paid click's row (the presented click, or the customer's first winning click), for the fraud checks when
   * this process never counted that click; all null when the row was never written.
   */
  paid_click_at: Date | null;
  paid_click_ip: string | null;
  paid_click_user_agent: string | null;
  paid_click_is_bot: boolean | null;
  /** The paid offer's caps (null: none) and what its counter row says (null: no row yet). */
  daily_cap: number | null;
  monthly_cap: number | null;
  cap_day: string | null;
  cap_day_count: number | null;
  cap_month: string | null;
  cap_month_count: number | null;
}

export interface ContextQuery {
  tokenHash: string;
  txnId: string;
  /** The presented click id (verified), its link and its time (the id's; the click row's createdAt). */
  clickId: string | null;
  clickLinkId: number | null;
  clickedAt: Date | null;
  customerId: string | null;
  /** First instant of the month (UTC): volume tiers count from there. */
  monthStart: Date;
  /** The conversion's day (UTC, YYYY-MM-DD): the FX rate is the latest on or before it. */
  day: string;
  /** The sale's currency; null: the merchant's default. */
  currency: string | null;
  /** Links named by the `touches` whose signatures verified. */
  touchLinkIds: number[];
}

const contextValues = (q: ContextQuery) => [q.tokenHash, q.txnId, q.clickLinkId, q.customerId, q.monthStart, q.day, q.currency, q.touchLinkIds, q.clickId, q.clickedAt];

// $1 token hash, $2 txn id, $3 presented link id, $4 customer id, $5 month start, $6 conversion date (UTC),
// $7 sale currency (null: the merchant's default), $8 the touches' link ids, $9 the presented click id, $10 its time.
export const CONTEXT_SQL = `
SELECT m.id AS merchant_id, m."postbackTokenHash" AS token_hash, m."defaultCurrency" AS default_currency,
       x.id AS existing_id, x.status AS existing_status,
       pl.id AS click_link_id, pl."affiliateId" AS click_affiliate_id, po."merchantId" AS click_merchant_id,
       po."attributionWindowDays" AS click_window_days,
       ca."affiliateId" AS customer_affiliate_id, fc."clickId" AS first_click_id, fc."clickedAt" AS first_clicked_at,
       lt."touchPath" AS prior_touches,
       l.id AS link_id, l."affiliateId" AS affiliate_id,
       o.id AS offer_id, o."payoutModel" AS payout_model, o."cpaAmountMinor" AS cpa_amount_minor,
       o."revshareBps" AS revshare_bps, o.currency AS offer_currency, o."holdingPeriodDays" AS holding_days,
       ov."cpaAmountMinor" AS override_cpa, ov."revshareBps" AS override_bps,
       tiers.list AS tiers, month.n AS month_count,
       fx.id AS fx_id, fx.base AS fx_base, fx.quote AS fx_quote, fx.rate::text AS fx_rate, fx."asOf"::text AS fx_as_of,
       (SELECT json_agg(json_build_object('id', tl.id, 'affiliateId', tl."affiliateId", 'merchantId', tlo."merchantId",
                                          'windowDays', tlo."attributionWindowDays"))
        FROM links tl JOIN offers tlo ON tlo.id = tl."offerId" WHERE tl.id = ANY($8::int[])) AS touch_links,
       ck."createdAt" AS paid_click_at, ck.ip AS paid_click_ip, ck."userAgent" AS paid_click_user_agent, ck."isBot" AS paid_click_is_bot,
       o."dailyCap" AS daily_cap, o."monthlyCap" AS monthly_cap, cu.day::text AS cap_day, cu."dayCount" AS cap_day_count,
       cu.month::text AS cap_month, cu."monthCount" AS cap_month_count
FROM merchants m
CROSS JOIN LATERAL (SELECT COALESCE($7::text, m."defaultCurrency") AS cur) sale
LEFT JOIN conversions x ON x."merchantId" = m.id AND x."txnId" = $2
LEFT JOIN links pl ON pl.id = $3::int
LEFT JOIN offers po ON po.id = pl."offerId"
LEFT JOIN customer_attributions ca ON ca."merchantId" = m.id AND ca."customerId" = $4::text
LEFT JOIN conversions fc ON fc.id = ca."firstConversionId"
-- Each lateral read below repeats its join condition inside, where it does not depend on the rows being read: the
-- planner turns it into a one-time filter, so a generic plan (prepared statements) skips the read entirely instead
-- of running it and discarding the result.
LEFT JOIN LATERAL (
  SELECT c."touchPath" FROM conversions c
  WHERE $4::text IS NOT NULL AND c."merchantId" = m.id AND c."customerId" = $4::text ORDER BY c."createdAt" DESC LIMIT 1
) lt ON $4::text IS NOT NULL
LEFT JOIN links l ON l.id = CASE WHEN pl.id IS NULL OR ca."affiliateId" <> pl."affiliateId" THEN fc."linkId" ELSE pl.id END
LEFT JOIN offers o ON o.id = l."offerId"
-- The click that gets paid (see attribution.ts): one primary-key probe (id and time: the month's partition only),
-- so the fraud checks never need a round trip.
LEFT JOIN clicks ck ON (ck.id, ck."createdAt") = (
  CASE WHEN ca."affiliateId" IS NOT NULL AND (pl.id IS NULL OR ca."affiliateId" <> pl."affiliateId") THEN fc."clickId" ELSE $9::text END,
  CASE WHEN ca."affiliateId" IS NOT NULL AND (pl.id IS NULL OR ca."affiliateId" <> pl."affiliateId") THEN fc."clickedAt" ELSE $10::timestamptz END)
LEFT JOIN offer_cap_usage cu ON cu."offerId" = o.id
LEFT JOIN affiliate_offer_overrides ov ON ov."affiliateId" = l."affiliateId" AND ov."offerId" = o.id
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object('minConversions', t."minConversions", 'cpaAmountMinor', t."cpaAmountMinor",
                                    'revshareBps', t."revshareBps")) AS list, max(t."minConversions") AS top
  FROM commission_tiers t WHERE t."offerId" = o.id
) tiers ON true
-- Counted only up to the highest tier's threshold (nothing at all for an offer without tiers): beyond it the count
-- changes nothing, so a big affiliate's postback never scans their whole month; the (affiliateId, offerId,
-- createdAt) index makes it a range scan of exactly this affiliate's sales of this offer. Two postbacks of one
-- affiliate at the same instant may both see the same count (READ COMMITTED), so one may be paid at the rate just
-- below a tier boundary: accepted for a volume bonus.
LEFT JOIN LATERAL (
  SELECT count(*)::int AS n FROM (
    SELECT 1 FROM conversions c
    WHERE tiers.top IS NOT NULL AND c."affiliateId" = l."affiliateId" AND c."offerId" = o.id AND c."createdAt" >= $5
      AND c.status <> 'REFUNDED'
    LIMIT tiers.top
  ) capped
) month ON tiers.list IS NOT NULL
LEFT JOIN LATERAL (
  SELECT f.id, f.base, f.quote, f.rate, f."asOf" FROM fx_rates f
  WHERE o."payoutModel" = 'REVSHARE' AND sale.cur <> o.currency
    AND ((f.base = sale.cur AND f.quote = o.currency) OR (f.base = o.currency AND f.quote = sale.cur))
    AND f."asOf" <= $6::date
  ORDER BY f."asOf" DESC, (f.base = sale.cur) DESC
  LIMIT 1
) fx ON o."payoutModel" = 'REVSHARE' AND sale.cur <> o.currency
WHERE m."postbackTokenHash" = $1`;

export interface NewConversion {
  id: string;
  merchantId: string;
  offerId: string;
  affiliateId: string;
  linkId: number;
  clickId: string;
  clickedAt: Date;
  txnId: string;
  event: string;
  customerId: string | null;
  amountMinor: number;
  currency: string;
  status: "PENDING" | "APPROVED";
  ip: string | null;
  subs: (string | null)[]; // sub1..sub5
  touchPath: unknown[];
  fraudScore: number;
  fraudDecision: "PASS" | "REVIEW" | "HOLD";
  createdAt: Date;
}

export interface NewCommission {
  id: string;
  amountMinor: number;
  currency: string;
  status: "PENDING" | "HELD" | "APPROVED";
  calculation: string;
  fxRateId: string | null;
  holdUntil: Date;
  heldReason: string | null;
  approvedAt: Date | null;
}

export interface OutboxDraft {
  id: string;
  type: string;
  payload: unknown;
}

export interface LogDraft {
  merchantId: string | null;
  method: string;
  params: Record<string, string>;
  outcome: "ACCEPTED" | "DUPLICATE" | "REJECTED";
  reasonCode: ReasonCode;
  message: string;
  httpStatus: number;
  conversionId: string | null;
  ip: string | null;
  receivedAt: Date;
}

export interface FlagDraft {
  code: string;
  severity: number;
  explanation: string;
  evidence: unknown;
}

const LOG_COLUMNS = ["merchantId", "method", "params", "outcome", "reasonCode", "message", "httpStatus", "conversionId", "ip", "receivedAt"] as const;

/**
 * The one INSERT into postback_logs: `values` gives each column's SQL expression (a placeholder, a literal, a CTE
 * column), `from` what they are selected from, if anything.
 */
function insertLogSql(values: Record<(typeof LOG_COLUMNS)[number], string>, from = ""): string {
  return `INSERT INTO postback_logs (${LOG_COLUMNS.map((c) => `"${c}"`).join(", ")})
  SELECT ${LOG_COLUMNS.map((c) => values[c]).join(", ")} ${from}`;
}

/** The one INSERT into outbox_events: `events` is a jsonb array of OutboxDraft, `from` an optional driving CTE. */
function insertEventsSql({ merchantId, events, at }: { merchantId: string; events: string; at: string }, from = ""): string {
  return `INSERT INTO outbox_events (id, type, "merchantId", payload, "createdAt")
  SELECT e.id, e.type, ${merchantId}, e.payload, ${at} FROM ${from ? `${from}, ` : ""}jsonb_to_recordset(${events}) AS e(id text, type text, payload jsonb)`;
}

export const CREATE_SQL = `
WITH conv AS (
  INSERT INTO conversions (id, "merchantId", "offerId", "affiliateId", "linkId", "clickId", "clickedAt", "txnId", event,
    "customerId", "amountMinor", currency, status, ip, sub1, sub2, sub3, sub4, sub5, "touchPath", "fraudScore",
    "fraudDecision", "createdAt", "updatedAt")
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::"ConversionStatus", $14, $15, $16, $17, $18, $19,
    $20::jsonb, $21, $22::"FraudDecision", $23, $23)
  ON CONFLICT ("merchantId", "txnId") DO NOTHING
  RETURNING id
), comm AS (
  INSERT INTO commissions (id, kind, "conversionId", "affiliateId", "offerId", "amountMinor", currency, status,
    calculation, "fxRateId", "holdUntil", "heldReason", "approvedAt", "createdAt", "updatedAt")
  SELECT $24, 'COMMISSION', conv.id, $4, $3, $25, $26, $27::"CommissionStatus", $28, $29, $30, $31, $32, $23, $23
  FROM conv
), cust AS (
  INSERT INTO customer_attributions ("merchantId", "customerId", "affiliateId", "firstConversionId", "createdAt")
  SELECT $2, $10, $4, conv.id, $23 FROM conv WHERE $10::text IS NOT NULL
  ON CONFLICT DO NOTHING
), flags AS (
  INSERT INTO fraud_flags (code, severity, explanation, evidence, "affiliateId", "conversionId", "commissionId",
    "clickId", "createdAt")
  SELECT f.code, f.severity, f.explanation, COALESCE(f.evidence, '{}'), $4, conv.id, $24, $6, $23
  FROM conv, jsonb_to_recordset($33::jsonb) AS f(code text, severity int, explanation text, evidence jsonb)
), events AS (
  ${insertEventsSql({ merchantId: "$2", events: "$34::jsonb", at: "$23" }, "conv")}
), cap AS (
  -- Capped offers only: one counter row per offer, taken by row lock. ON CONFLICT DO UPDATE evaluates its WHERE on
  -- the latest committed row (not this statement's snapshot), so of two concurrent postbacks for the last place the
  -- second waits for the first and then sees the counter full: no cap is ever exceeded.
  INSERT INTO offer_cap_usage AS u ("offerId", day, "dayCount", month, "monthCount")
  SELECT $3, $41::date, 1, $42::date, 1 FROM conv WHERE $39::int IS NOT NULL OR $40::int IS NOT NULL
  ON CONFLICT ("offerId") DO UPDATE SET
    "dayCount" = CASE WHEN u.day = EXCLUDED.day THEN u."dayCount" + 1 ELSE 1 END,
    "monthCount" = CASE WHEN u.month = EXCLUDED.month THEN u."monthCount" + 1 ELSE 1 END,
    day = EXCLUDED.day, month = EXCLUDED.month
  WHERE ($39::int IS NULL OR u.day <> EXCLUDED.day OR u."dayCount" < $39::int)
    AND ($40::int IS NULL OR u.month <> EXCLUDED.month OR u."monthCount" < $40::int)
  RETURNING 1
), log AS (
  ${insertLogSql({ merchantId: "$2", method: "$35", params: "$36::jsonb", outcome: "'ACCEPTED'", reasonCode: "'created'", message: "$37", httpStatus: "200", conversionId: "conv.id", ip: "$38", receivedAt: "$23" }, "FROM conv")}
)
-- A capped offer whose counter refused this conversion raises (migration 20261208060000): the whole statement rolls back.
SELECT conv.id, CASE WHEN ($39::int IS NOT NULL OR $40::int IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM cap) THEN offer_cap_reached($3) END AS cap_refused,
  ${WAKE_RELAYS_SQL} FROM conv`;

/** SQLSTATE of `offer_cap_reached()`: the create statement found no place left under the offer's cap. */
export const CAP_REACHED_SQLSTATE = "AC001";

/** A capped offer's limits and the postback's UTC day and month (first day), for the create statement's counter. */
export interface CapValues {
  dailyCap: number | null;
  monthlyCap: number | null;
  day: string;
  month: string;
}

export function createValues(c: NewConversion, k: NewCommission, flags: FlagDraft[], events: OutboxDraft[], log: Pick<LogDraft, "method" | "params" | "message" | "ip">, cap: CapValues): unknown[] {
  return [
    c.id, c.merchantId, c.offerId, c.affiliateId, c.linkId, c.clickId, c.clickedAt, c.txnId, c.event, c.customerId,
    c.amountMinor, c.currency, c.status, c.ip, ...c.subs, JSON.stringify(c.touchPath), c.fraudScore, c.fraudDecision,
    c.createdAt,
    k.id, k.amountMinor, k.currency, k.status, k.calculation, k.fxRateId, k.holdUntil, k.heldReason, k.approvedAt,
    JSON.stringify(flags), JSON.stringify(events),
    log.method, JSON.stringify(log.params), log.message, log.ip,
    cap.dailyCap, cap.monthlyCap, cap.day, cap.month,
  ];
}

/** Inserts the conversion and everything that goes with it; false when (merchant, txn id) already existed. */
export async function insertConversion(db: Queryable, values: unknown[]): Promise<boolean> {
  const result = await db.query(statement(CREATE_SQL, values, "postback_create"));
  return (result.rowCount ?? 0) > 0;
}

// The relay is woken at commit (NOTIFY is transactional): it only ever sees committed rows.
const EVENTS_SQL = `WITH inserted AS (${insertEventsSql({ merchantId: "$1", events: "$2::jsonb", at: "$3" })})
SELECT ${WAKE_RELAYS_SQL}`;

/** Outbox events of a status change, inside its transaction (a new conversion's are part of CREATE_SQL). */
export async function insertEvents(db: Queryable, merchantId: string, events: OutboxDraft[], at: Date): Promise<void> {
  if (events.length > 0) await db.query(statement(EVENTS_SQL, [merchantId, JSON.stringify(events), at], "postback_events"));
}

const LOG_SQL = insertLogSql({
  merchantId: "$1", method: "$2", params: "$3::jsonb", outcome: '$4::"PostbackOutcome"', reasonCode: "$5", message: "$6",
  httpStatus: "$7", conversionId: "$8", ip: "$9", receivedAt: "$10",
});

/**
 * A refusal identical to one already logged from the same source within the same hour adds one to that row's
 * repeatCount (and moves its lastReceivedAt) instead of a row of its own: a flood of the same bad postback is one
 * row, not thousands.
 */
const REJECT_LOG_SQL = `INSERT INTO postback_logs (${LOG_COLUMNS.map((c) => `"${c}"`).join(", ")}, "repeatKey", "lastReceivedAt")
  VALUES ($1, $2, $3::jsonb, $4::"PostbackOutcome", $5, $6, $7, $8, $9, $10, $11, $10)
  ON CONFLICT ("repeatKey") DO UPDATE SET "repeatCount" = postback_logs."repeatCount" + 1,
    "lastReceivedAt" = GREATEST(postback_logs."lastReceivedAt", EXCLUDED."receivedAt")`;

export async function writeLog(db: Queryable, log: LogDraft): Promise<void> {
  const params = JSON.stringify(log.params);
  const values = [log.merchantId, log.method, params, log.outcome, log.reasonCode, log.message, log.httpStatus, log.conversionId, log.ip, log.receivedAt];
  if (log.outcome !== "REJECTED") return void (await db.query(statement(LOG_SQL, values, "postback_log")));
  await db.query(statement(REJECT_LOG_SQL, [...values, repeatKey(log, params)], "postback_log_reject"));
}

/** What makes two refusals "identical from one source": sender, merchant, request, answer, and the hour. */
export function repeatKey(log: LogDraft, params: string): string {
  const hour = Math.floor(log.receivedAt.getTime() / 3_600_000);
  const parts = [log.ip ?? "", log.merchantId ?? "", log.method, log.reasonCode, log.httpStatus, log.message, params, hour];
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url");
}

export async function readContext(db: Queryable, query: ContextQuery): Promise<ContextRow | null> {
  const result = await db.query<ContextRow>(statement(CONTEXT_SQL, contextValues(query), "postback_context"));
  return result.rows[0] ?? null;
}

/** The merchant of a token hash (for logging rejections that happen before the context read). */
export async function merchantByTokenHash(db: Queryable, tokenHash: string): Promise<{ id: string; token_hash: string } | null> {
  const sql = `SELECT id, "postbackTokenHash" AS token_hash FROM merchants WHERE "postbackTokenHash" = $1`;
  const result = await db.query<{ id: string; token_hash: string }>(statement(sql, [tokenHash]));
  return result.rows[0] ?? null;
}

export type ConversionStatus = "PENDING" | "APPROVED" | "REFUNDED";

export async function conversionByTxn(db: Queryable, merchantId: string, txnId: string): Promise<{ id: string; status: ConversionStatus } | null> {
  const sql = `SELECT id, status FROM conversions WHERE "merchantId" = $1 AND "txnId" = $2`;
  const result = await db.query<{ id: string; status: ConversionStatus }>(statement(sql, [merchantId, txnId]));
  return result.rows[0] ?? null;
}
