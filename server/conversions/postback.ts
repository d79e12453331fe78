// The postback core: one function from (parameters, credentials) to (HTTP status, JSON body), with no HTTP
// framework in sight. Our own server (server/http) and Next's route handler (app/api/postback) both adapt to it.
//
// Guarantees:
// - 200 only after the commit of everything the postback changed (conversion, commission, outbox, log);
// - every rejection is a 4xx with a stable code (reasons.ts), never a 200;
// - every postback is logged in postback_logs with its outcome and reason, without its token (identical refusals
//   from one source share a row with a count: store.ts; the HTTP layer's failure limits answer some before this);
// - a database failure is a 503 with Retry-After, and a single-statement write (or a rolled-back transaction)
//   means nothing is half written;
// - (merchant, txn_id) is unique: a retry is answered 200 with the original conversion id and changes nothing.
import { randomUUID, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import { hashPostbackToken } from "../merchants/postback-token";
import { parseAmount } from "../money/amount";
import type { ClickIdCodec } from "../tracking/click-id";
import { type ConversionCandidate, type FraudVerdict, type StoredClick, publicFlags } from "../fraud";
import { type CheckedTouches, type SentTouch, buildTouchPath, checkTouches, holdUntil, monthStart, withinAttributionWindow } from "./attribution";
import { capRefusal } from "./caps";
import { computeCommission } from "./commission";
import { commissionPayload, conversionPayload, event } from "./events";
import { type PostbackParams, type RawParams, SUB_KEYS, paramsForLog, parsePostbackParams } from "./params";
import { PostbackRejection, REJECTIONS, reject } from "./reasons";
import {
  CAP_REACHED_SQLSTATE,
  type CapValues,
  type ContextRow,
  type LogDraft,
  type NewCommission,
  type NewConversion,
  conversionByTxn,
  createValues,
  insertConversion,
  merchantByTokenHash,
  readContext,
  writeLog,
} from "./store";
import { type LogFields, type TransitionHooks, type TransitionResult, approveConversion, refundConversion } from "./transitions";
import { isDatabaseUnavailable } from "./unavailable";
import { errorLine } from "../log";

export interface PostbackDeps {
  pool: pg.Pool;
  codec: ClickIdCodec;
  now: () => Date;
  /**
   * The fraud seam (server/fraud `evaluateConversion`), called before the commission is written, with the paid
   * click's row as the context read found it (null when it was never written).
   */
  evaluate: (candidate: ConversionCandidate, click: StoredClick | null) => FraudVerdict | Promise<FraudVerdict>;
  /** Test seams: run on the request's connection right before the create statement / inside a transition. */
  hooks?: TransitionHooks & { beforeCreate?: (client: pg.PoolClient) => Promise<void> };
}

/** A token from the request, or (in-process, for the merchant's "send test postback") an authenticated merchant. */
export type PostbackAuth = { token: string | null } | { merchantId: string };

export interface PostbackRequest {
  method: string;
  params: RawParams;
  auth: PostbackAuth;
  /** The sender's address, for the log (the customer's IP is the `ip` parameter). */
  senderIp: string | null;
  /** Validate and price without recording a conversion (also `test=1`). */
  test?: boolean;
  /** The HTTP layer could not read the body (too large, wrong type…): answer this, logged like any other. */
  refused?: PostbackRejection;
}

export interface PostbackResponse {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
  /** Who sent it, as far as the core found out (the failure limits count refusals by it: limiter.ts). */
  source?: { merchantId: string | null; tokenHash: string | null };
}

export const RETRY_AFTER_SECONDS = 5;

export async function processPostback(request: PostbackRequest, deps: PostbackDeps): Promise<PostbackResponse> {
  const receivedAt = deps.now();
  const log: LogFields = { method: request.method, params: paramsForLog(request.params), ip: request.senderIp, receivedAt };
  const state: PostbackState = { merchantId: null, tokenHash: null };
  let client: pg.PoolClient | undefined;
  let failure: unknown;
  // The pool stops listening to a client while it is checked out: a backend that dies between two statements
  // would otherwise be an unhandled 'error' event (a crash). The failing query reports it; here it is only noted.
  const onClientError = (error: Error) => void (failure ??= error);
  try {
    client = await deps.pool.connect();
    client.on("error", onClientError);
    try {
      return { ...(await handle(client, request, deps, log, state)), source: state };
    } catch (error) {
      if (!(error instanceof PostbackRejection)) throw error;
      await writeLog(client, { ...log, merchantId: state.merchantId, outcome: "REJECTED", reasonCode: error.code, message: error.message, httpStatus: error.status, conversionId: null });
      return { ...respond(error.status, { error: { code: error.code, message: error.message } }), source: state };
    }
  } catch (error) {
    failure = error;
    if (isDatabaseUnavailable(error)) {
      return respond(503, { error: { code: "unavailable", message: REJECTIONS.unavailable.message } }, { "retry-after": String(RETRY_AFTER_SECONDS) });
    }
    errorLine(`[postback] unexpected error: ${(error as Error)?.message ?? error}`);
    return respond(500, { error: { code: "internal_error", message: "Something went wrong on our side; nothing was recorded. Retry later." } });
  } finally {
    // A connection that failed mid-request may be dead or mid-transaction: discard it rather than reuse it.
    client?.removeListener("error", onClientError);
    client?.release(failure instanceof Error ? failure : undefined);
  }
}

function respond(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): PostbackResponse {
  return { status, body, headers };
}

interface PostbackState {
  merchantId: string | null;
  /** The token's hash once the merchant is confirmed. */
  tokenHash: string | null;
}

async function handle(client: pg.PoolClient, request: PostbackRequest, deps: PostbackDeps, log: LogFields, state: PostbackState): Promise<PostbackResponse> {
  const tokenHash = await resolveTokenHash(client, request.auth);
  if (request.refused) {
    // The body was never read (the token may be in it): the refusal is the answer, with the merchant named in the
    // log when a header or the query carried their token.
    if (tokenHash) state.merchantId = (await merchantOf(client, tokenHash))?.id ?? null;
    throw request.refused;
  }
  if (!tokenHash) reject("missing_token");

  let params: PostbackParams;
  let click: { linkId: number; clickedAt: Date } | null = null;
  try {
    params = parsePostbackParams(request.params);
    if (params.click_id) {
      const verified = deps.codec.verify(params.click_id);
      if (!verified.ok) {
        reject("forged_click", verified.error === "malformed" ? "The click id is malformed: it was not issued by us." : "The click id's signature does not match: it was altered or not issued by us.");
      }
      click = verified;
    }
  } catch (error) {
    // Name the merchant in the log of a malformed postback, so they can see it (a wrong token wins, though).
    const merchant = await merchantOf(client, tokenHash);
    if (!merchant) reject("wrong_token");
    state.merchantId = merchant.id;
    throw error;
  }

  const at = log.receivedAt;
  const day = at.toISOString().slice(0, 10);
  const sentTouches: SentTouch[] = (params.touches ?? []).map((clickId) => ({ clickId, verified: deps.codec.verify(clickId) }));
  const context = await readContext(client, {
    tokenHash,
    txnId: params.txn_id,
    clickId: click ? params.click_id! : null,
    clickLinkId: click?.linkId ?? null,
    clickedAt: click?.clickedAt ?? null,
    customerId: params.customer_id ?? null,
    monthStart: monthStart(at),
    day,
    currency: params.currency ?? null,
    touchLinkIds: sentTouches.flatMap((t) => (t.verified.ok ? [t.verified.linkId] : [])),
  });
  if (!context || !sameHash(context.token_hash, tokenHash)) reject("wrong_token");
  const merchantId = (state.merchantId = context.merchant_id);
  state.tokenHash = tokenHash;
  const test = request.test === true || params.test === true;

  if (context.existing_id) {
    if (test) return testAnswer(client, log, merchantId, context.existing_id, "Test postback: this txn_id is already recorded, so a real postback would be a duplicate. Nothing was recorded.");
    return transition(client, deps, merchantId, { id: context.existing_id, status: context.existing_status! }, params, log);
  }
  if (params.status === "refunded") reject("unknown_transaction");

  const touches = checkTouches(sentTouches, new Map((context.touch_links ?? []).map((l) => [l.id, l])), merchantId, at);
  const attributed = attribute(context, params, click, touches, at);
  const cap: CapValues = { dailyCap: context.daily_cap, monthlyCap: context.monthly_cap, day, month: monthStart(at).toISOString().slice(0, 10) };
  // Already full as the context read saw it: refused without pricing. A place taken meanwhile is the create
  // statement's to find (its counter row is locked there).
  const full = capRefusal(cap, { day: context.cap_day, dayCount: context.cap_day_count, month: context.cap_month, monthCount: context.cap_month_count });
  if (full) reject("offer_cap_reached", full);
  const sale = saleAmount(context, params);
  const commission = computeCommission({
    offer: { payoutModel: context.payout_model!, cpaAmountMinor: context.cpa_amount_minor, revshareBps: context.revshare_bps, currency: context.offer_currency! },
    tiers: context.tiers ?? [],
    override: context.override_cpa != null || context.override_bps != null ? { cpaAmountMinor: context.override_cpa, revshareBps: context.override_bps } : null,
    conversionNumber: (context.month_count ?? 0) + 1,
    sale,
    fx: context.fx_id ? { id: context.fx_id, base: context.fx_base!, quote: context.fx_quote!, rate: context.fx_rate!, asOf: context.fx_as_of! } : null,
    saleDay: day,
  });
  if (!commission.ok) reject(commission.code, commission.message);

  if (test) {
    const message = `Test postback: valid. A real one would credit affiliate ${attributed.affiliateId} with ${commission.calculation}.${touchesNote(touches)} Nothing was recorded.`;
    return testAnswer(client, log, merchantId, null, message, { affiliate_id: attributed.affiliateId, offer_id: context.offer_id, link_id: attributed.linkId, commission: { amount_minor: commission.amountMinor, currency: commission.currency, calculation: commission.calculation } });
  }

  const conversion: NewConversion = {
    id: randomUUID(),
    merchantId,
    offerId: context.offer_id!,
    affiliateId: attributed.affiliateId,
    linkId: attributed.linkId,
    clickId: attributed.clickId,
    clickedAt: attributed.clickedAt,
    txnId: params.txn_id,
    event: params.event ?? "sale",
    customerId: params.customer_id ?? null,
    amountMinor: sale.amountMinor,
    currency: sale.currency,
    status: params.status === "approved" ? "APPROVED" : "PENDING",
    ip: params.ip ?? null,
    subs: SUB_KEYS.map((key) => params[key] ?? null),
    touchPath: attributed.touchPath,
    fraudScore: 0,
    fraudDecision: "PASS",
    createdAt: at,
  };
  const verdict = await evaluateSafely(deps, storedClick(context), {
    merchantId,
    offerId: conversion.offerId,
    affiliateId: conversion.affiliateId,
    linkId: conversion.linkId,
    clickId: conversion.clickId,
    clickedAt: conversion.clickedAt,
    receivedAt: at,
    customerId: conversion.customerId,
    ip: conversion.ip,
    amountMinor: conversion.amountMinor,
    currency: conversion.currency,
    txnId: conversion.txnId,
  });
  conversion.fraudScore = verdict.score;
  conversion.fraudDecision = verdict.decision;
  const held = verdict.decision === "HOLD";
  // A commission under fraud review (REVIEW, its flags open) is never payable before a manager decides, whatever
  // status the merchant sends: it stays PENDING, and the approval job and merchant approvals skip it while its
  // flags are open (server/fraud/flags.ts). A manager's release approves it.
  const approvedNow = !held && verdict.decision !== "REVIEW" && conversion.status === "APPROVED";
  const payable: NewCommission = {
    id: randomUUID(),
    amountMinor: commission.amountMinor,
    currency: commission.currency,
    status: held ? "HELD" : approvedNow ? "APPROVED" : "PENDING",
    calculation: commission.calculation,
    fxRateId: commission.fxRateId,
    holdUntil: holdUntil(at, context.holding_days ?? 0),
    heldReason: held ? (verdict.reason ?? "flagged by fraud checks") : null,
    approvedAt: approvedNow ? at : null,
  };

  const commissionFacts = { ...payable, kind: "COMMISSION" as const, conversionId: conversion.id, txnId: conversion.txnId, affiliateId: conversion.affiliateId, offerId: conversion.offerId };
  const events = [event("conversion.created", conversionPayload(conversion)), event("commission.created", commissionPayload(commissionFacts))];
  if (held) {
    events.push(
      event("fraud.flagged", {
        conversion_id: conversion.id,
        commission_id: payable.id,
        affiliate_id: conversion.affiliateId,
        decision: verdict.decision.toLowerCase(),
        score: verdict.score,
        reason: payable.heldReason,
        flags: publicFlags(verdict.flags), // without personal data: the merchant gets no visitor IPs
      }),
    );
  }
  const flags = verdict.decision === "PASS" ? [] : verdict.flags;
  const message = `Conversion recorded: ${commission.calculation} (${payable.status.toLowerCase()}${held ? `: ${payable.heldReason}` : ""}).${touchesNote(touches)}`;

  await deps.hooks?.beforeCreate?.(client);
  if (await insertCapped(client, createValues(conversion, payable, flags, events, { ...log, message }, cap), cap, conversion.offerId)) {
    return respond(200, { status: "created", conversion_id: conversion.id, duplicate: false });
  }
  // Lost the race to a concurrent postback with the same txn_id: answer as its retry.
  const existing = await conversionByTxn(client, merchantId, params.txn_id);
  if (!existing) throw new Error("conversion conflict without a row");
  return transition(client, deps, merchantId, existing, params, log);
}

/** insertConversion, with a refusal by the offer's cap counter answered offer_cap_reached (nothing was written). */
async function insertCapped(client: pg.PoolClient, values: unknown[], cap: CapValues, offerId: string): Promise<boolean> {
  try {
    return await insertConversion(client, values);
  } catch (error) {
    if ((error as { code?: unknown })?.code !== CAP_REACHED_SQLSTATE) throw error;
    const usage = await client.query<{ day: string; dayCount: number; month: string; monthCount: number }>(
      `SELECT day::text AS day, "dayCount", month::text AS month, "monthCount" FROM offer_cap_usage WHERE "offerId" = $1`,
      [offerId],
    );
    const row = usage.rows[0];
    reject("offer_cap_reached", (row && capRefusal(cap, row)) ?? REJECTIONS.offer_cap_reached.message);
  }
}

/** What the log says about `touches` left out of the path (nothing when every one was kept). */
function touchesNote({ leftOut }: CheckedTouches): string {
  if (leftOut.length === 0) return "";
  return ` Touches left out of the path: ${leftOut.map((t) => `${t.clickId} (${t.reason})`).join("; ")}.`;
}

/** The merchant a token hash belongs to, confirmed in constant time; null for a wrong token. */
async function merchantOf(client: pg.PoolClient, tokenHash: string): Promise<{ id: string } | null> {
  const merchant = await merchantByTokenHash(client, tokenHash);
  return merchant && sameHash(merchant.token_hash, tokenHash) ? merchant : null;
}

async function resolveTokenHash(client: pg.PoolClient, auth: PostbackAuth): Promise<string | null> {
  if ("token" in auth) return auth.token ? hashPostbackToken(auth.token) : null;
  const result = await client.query<{ hash: string }>(`SELECT "postbackTokenHash" AS hash FROM merchants WHERE id = $1`, [auth.merchantId]);
  return result.rows[0]?.hash ?? null;
}

/** Constant-time comparison of two sha256 hex digests (the index lookup found the row; this confirms it). */
function sameHash(stored: string, computed: string): boolean {
  const a = Buffer.from(stored, "hex");
  const b = Buffer.from(computed, "hex");
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

interface Attributed {
  affiliateId: string;
  linkId: number;
  clickId: string;
  clickedAt: Date;
  touchPath: unknown[];
}

/** Applies attribution.ts's rules to what the context read found. */
function attribute(context: ContextRow, params: PostbackParams, click: { linkId: number; clickedAt: Date } | null, touches: CheckedTouches, at: Date): Attributed {
  if (click) {
    if (context.click_link_id === null) reject("unknown_click");
    if (context.click_merchant_id !== context.merchant_id) reject("click_not_for_merchant");
    if (!withinAttributionWindow(click.clickedAt, at, context.click_window_days!)) {
      reject("outside_attribution_window", `The click is from ${click.clickedAt.toISOString()}, older than the offer's ${context.click_window_days}-day attribution window.`);
    }
  } else if (!params.customer_id) {
    reject("missing_click_id");
  } else if (!context.customer_affiliate_id) {
    reject("missing_click_id", `click_id is required: customer ${params.customer_id} has no earlier conversion to attribute this one to.`);
  }
  if (context.link_id === null || context.offer_id === null) reject("unknown_click");
  const touch = click ? { clickId: params.click_id!, affiliateId: context.click_affiliate_id!, at: click.clickedAt.toISOString() } : null;
  const firstWinnerPays = context.customer_affiliate_id !== null && (click === null || context.click_affiliate_id !== context.customer_affiliate_id);
  return {
    affiliateId: context.affiliate_id!,
    linkId: context.link_id,
    clickId: firstWinnerPays ? context.first_click_id! : params.click_id!,
    clickedAt: firstWinnerPays ? context.first_clicked_at! : click!.clickedAt,
    touchPath: buildTouchPath(context.prior_touches, touches.kept, touch),
  };
}

function saleAmount(context: ContextRow, params: PostbackParams): { amountMinor: number; currency: string } {
  const currency = params.currency ?? context.default_currency;
  if (params.amount === undefined && context.payout_model === "REVSHARE") reject("bad_amount", "amount is required: this offer pays a share of the sale.");
  const parsed = parseAmount(params.amount ?? "0", currency);
  if (!parsed.ok) reject(parsed.code, parsed.message);
  return { amountMinor: parsed.minor, currency: parsed.currency };
}

function storedClick(context: ContextRow): StoredClick | null {
  if (context.paid_click_at === null) return null;
  return { at: context.paid_click_at, ip: context.paid_click_ip, userAgent: context.paid_click_user_agent, isBot: context.paid_click_is_bot === true };
}

/** The fraud seam fails closed: if the checks cannot run, the commission is held for a manager, never lost. */
async function evaluateSafely(deps: PostbackDeps, click: StoredClick | null, candidate: ConversionCandidate): Promise<FraudVerdict> {
  try {
    return await deps.evaluate(candidate, click);
  } catch (error) {
    errorLine(`[postback] fraud evaluation failed: ${(error as Error)?.message ?? error}`);
    const reason = "automatic fraud checks could not run; a manager will review it";
    return { score: 0, decision: "HOLD", reason, flags: [{ code: "check_error", severity: 0, explanation: reason, evidence: {} }] };
  }
}

async function transition(client: pg.PoolClient, deps: PostbackDeps, merchantId: string, existing: { id: string; status: string }, params: PostbackParams, log: LogFields): Promise<PostbackResponse> {
  let result: TransitionResult = { kind: "duplicate", conversionId: existing.id };
  if (params.status === "refunded" && existing.status !== "REFUNDED") {
    result = await refundConversion(client, merchantId, params.txn_id, log, deps.hooks);
  } else if (params.status === "approved" && existing.status === "PENDING") {
    result = await approveConversion(client, merchantId, existing.id, log, deps.hooks);
  } else if (params.status === "approved" && existing.status === "REFUNDED") {
    result = { kind: "conflict", conversionId: existing.id, status: "REFUNDED" };
  }
  switch (result.kind) {
    case "changed":
      return respond(200, { status: params.status, conversion_id: result.conversionId, duplicate: false, message: result.message });
    case "missing":
      return reject("unknown_transaction");
    case "conflict":
      return reject("conversion_refunded");
    case "duplicate": {
      const message = `Already recorded as conversion ${result.conversionId}; nothing changed.`;
      await writeLog(client, { ...log, merchantId, outcome: "DUPLICATE", reasonCode: "duplicate", message, httpStatus: 200, conversionId: result.conversionId });
      return respond(200, { status: "duplicate", conversion_id: result.conversionId, duplicate: true });
    }
  }
}

async function testAnswer(client: pg.PoolClient, log: LogFields, merchantId: string, conversionId: string | null, message: string, details: Record<string, unknown> = {}): Promise<PostbackResponse> {
  const entry: LogDraft = { ...log, merchantId, outcome: "ACCEPTED", reasonCode: "test", message, httpStatus: 200, conversionId };
  await writeLog(client, entry);
  return respond(200, { status: "test", conversion_id: conversionId, duplicate: conversionId !== null, message, ...details });
}
