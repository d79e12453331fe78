// What a merchant needs to wire postbacks: the URL template with every macro, their token (rotated and shown once),
// and a test that runs a real postback through the real core without recording anything.
//
// The test postback: we sign a fresh click id for one of the merchant's own links (their `demo` link when they
// have one), then run the core in test mode: token, click signature, merchant, window, amount, currency, FX and
// the commission are all checked exactly as for a live postback, and the merchant sees the answer and the
// commission it would pay. Nothing is written but the postback log line (reason `test`): no conversion, no
// commission, no outbox event, so payouts and webhooks never see it. Fraud checks are skipped (they would count
// the test as traffic).
import type { Db } from "../db";
import { generatePostbackToken, postbackTokenFields } from "../merchants/postback-token";
import { defaultPostbackDeps, POSTBACK_PATH } from "./http";
import { type PostbackDeps, processPostback } from "./postback";
import { REJECTIONS } from "./reasons";

export interface PostbackParameter {
  param: string;
  macro: string;
  required: boolean;
  description: string;
}

export const POSTBACK_PARAMETERS: PostbackParameter[] = [
  { param: "click_id", macro: "{click_id}", required: true, description: "The click id we added to your landing page URL. Optional for a repeat customer_id." },
  { param: "txn_id", macro: "{order_id}", required: true, description: "Your order or transaction id: unique per sale; a retry with the same id is recognised." },
  { param: "amount", macro: "{amount}", required: false, description: "Sale amount in major units with a dot (49.90). Required for revenue-share offers." },
  { param: "currency", macro: "{currency}", required: false, description: "ISO 4217 code (EUR, USD, JPY…); your default currency when absent." },
  { param: "status", macro: "{status}", required: false, description: "pending (default), approved, or refunded (reverses the commission)." },
  { param: "event", macro: "{event}", required: false, description: "The goal, e.g. sale, lead, signup (default sale)." },
  { param: "customer_id", macro: "{customer_id}", required: false, description: "Your customer id: later sales of the same customer go to the affiliate who won them first." },
  { param: "ip", macro: "{customer_ip}", required: false, description: "The customer's IP address, for fraud checks." },
  { param: "touches", macro: "{touches}", required: false, description: "Earlier click ids of this customer, oldest first, comma-separated (kept by your landing page, e.g. in a first-party cookie): stored as the touch path for reports, never changes who is paid." },
  ...[1, 2, 3, 4, 5].map((n) => ({ param: `sub${n}`, macro: `{sub${n}}`, required: false, description: `Free value ${n}, stored with the conversion.` })),
];

/** The postback URL with every parameter as a macro for the merchant's platform to fill in. */
export function postbackUrlTemplate(baseUrl: string): string {
  const query = POSTBACK_PARAMETERS.map((p) => `${p.param}=${p.macro}`).join("&");
  return `${baseUrl.replace(/\/$/, "")}${POSTBACK_PATH}?token=YOUR_TOKEN&${query}`;
}

export async function postbackSetup(db: Db, merchantId: string, baseUrl: string) {
  const merchant = await db.merchant.findUniqueOrThrow({
    where: { id: merchantId },
    select: { postbackTokenPrefix: true, defaultCurrency: true, offers: { select: { id: true, name: true, clickIdParam: true, attributionWindowDays: true, holdingPeriodDays: true }, orderBy: { name: "asc" } } },
  });
  return {
    endpoint: `${baseUrl.replace(/\/$/, "")}${POSTBACK_PATH}`,
    template: postbackUrlTemplate(baseUrl),
    tokenPrefix: merchant.postbackTokenPrefix,
    defaultCurrency: merchant.defaultCurrency,
    offers: merchant.offers,
    parameters: POSTBACK_PARAMETERS,
    reasons: Object.entries(REJECTIONS).map(([code, r]) => ({ code, status: r.status, message: r.message })),
  };
}

/** A new token for the merchant; the old one stops working at once. The token is returned once, never stored. */
export async function rotatePostbackToken(db: Db, merchantId: string, actorId: string) {
  const token = generatePostbackToken();
  const fields = postbackTokenFields(token);
  await db.$transaction([
    db.merchant.update({ where: { id: merchantId }, data: fields }),
    db.auditLog.create({ data: { actorId, action: "merchant.rotate_postback_token", entityType: "merchant", entityId: merchantId, data: { prefix: fields.postbackTokenPrefix } } }),
  ]);
  return { token, prefix: fields.postbackTokenPrefix };
}

export type TestPostbackResult =
  | { ok: false; reason: "no_link"; message: string }
  | { ok: true; linkSlug: string; clickId: string; httpStatus: number; body: Record<string, unknown> };

export async function sendTestPostback(db: Db, merchantId: string, input: { amount?: string; currency?: string }, deps: PostbackDeps = defaultPostbackDeps()): Promise<TestPostbackResult> {
  const mine = { offer: { merchantId }, active: true };
  const link = (await db.link.findFirst({ where: { ...mine, slug: "demo" } })) ?? (await db.link.findFirst({ where: mine, orderBy: { createdAt: "asc" } }));
  if (!link) return { ok: false, reason: "no_link", message: "None of your offers has an active affiliate link yet, so there is no click to test with." };
  const clickId = deps.codec.sign(link.id, deps.now().getTime() - 60_000);
  const params = { click_id: clickId, txn_id: `test-${Date.now()}`, amount: input.amount ?? "49.90", ...(input.currency ? { currency: input.currency } : {}) };
  const answer = await processPostback({ method: "TEST", params, auth: { merchantId }, senderIp: null, test: true }, deps);
  return { ok: true, linkSlug: link.slug, clickId, httpStatus: answer.status, body: answer.body };
}
