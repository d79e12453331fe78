// Rows for tests: every call makes new rows with unique names, so test files can share one database and run in
// parallel without truncating anything. Each function returns the created row(s); pass ids to connect them, or
// let a function create what it needs (createLink() alone makes a merchant, offer and affiliate).
//
//   const { merchant, offer, affiliate, link } = await createProgram();
//   const api = callerFor(affiliate.user);              // tRPC as that user (same ctx shape as a real request)
//   await api.affiliate.earnings();
import { randomUUID } from "node:crypto";
import { createCaller } from "../api/root";
import { createInnerContext } from "../api/trpc";
import { toSessionUser } from "../auth/options";
import { hashPassword } from "../auth/password";
import type { SessionUser } from "../auth/types";
import { type Link, type Prisma, db, getPool } from "../db";
import { bulkInsert } from "../db/bulk-insert";
import { env } from "../env";
import { generatePostbackToken, postbackTokenFields } from "../merchants/postback-token";
import { createClickIdCodec } from "../tracking/click-id";
import { sealSecret } from "../webhooks/secret-box";
import { generateSecret } from "../webhooks/signing";

/** Every fixture user's password (hashed once per test file, bcrypt is deliberately slow). */
export const FIXTURE_PASSWORD = "fixture-password";
let fixtureHash: Promise<string> | undefined;
const passwordHash = () => (fixtureHash ??= hashPassword(FIXTURE_PASSWORD));

/** "prefix-1a2b3c4d": unique across parallel test files. */
export function unique(prefix = "t"): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createMerchant(opts: { name?: string; postbackToken?: string; defaultCurrency?: string } = {}) {
  const postbackToken = opts.postbackToken ?? generatePostbackToken();
  const merchant = await db.merchant.create({
    data: { name: opts.name ?? unique("Merchant"), defaultCurrency: opts.defaultCurrency ?? "EUR", ...postbackTokenFields(postbackToken) },
  });
  /** The plain token (only its hash is stored), for sending postbacks in tests. */
  return { ...merchant, postbackToken };
}

type OfferOptions = Partial<Omit<Prisma.OfferUncheckedCreateInput, "tiers">> & {
  tiers?: Array<{ minConversions: number; cpaAmountMinor?: number; revshareBps?: number }>;
};

/** A CPA offer paying 10.00 by default; `payoutModel: "REVSHARE"` pays 15% unless revshareBps is given. */
export async function createOffer(opts: OfferOptions = {}) {
  const { tiers, ...fields } = opts;
  const payoutModel = fields.payoutModel ?? "CPA";
  return db.offer.create({
    data: {
      name: unique("Offer"),
      currency: "EUR",
      ...fields,
      merchantId: fields.merchantId ?? (await createMerchant()).id,
      payoutModel,
      cpaAmountMinor: payoutModel === "CPA" ? (fields.cpaAmountMinor ?? 1000) : null,
      revshareBps: payoutModel === "REVSHARE" ? (fields.revshareBps ?? 1500) : null,
      tiers: tiers ? { create: tiers } : undefined,
    },
    include: { tiers: { orderBy: { minConversions: "asc" } } },
  });
}

/** An affiliate and, unless `withUser: false`, the user who signs in as them (`.user`). */
export async function createAffiliate(opts: Partial<Prisma.AffiliateUncheckedCreateInput> & { withUser?: boolean } = {}) {
  const { withUser = true, ...fields } = opts;
  const name = fields.name ?? unique("Affiliate");
  const email = fields.email ?? `${name.toLowerCase()}@test.local`;
  const affiliate = await db.affiliate.create({
    // Payable by default: PayPal details and a W-8BEN on file (tests of the tax gate override payoutBlocker).
    data: {
      payoutMethod: "PAYPAL",
      payoutDetails: { method: "PAYPAL", email },
      currency: "EUR",
      taxForm: "W8BEN",
      taxInfo: { form: "W8BEN", legalName: name, country: "DE", taxId: "DE123456789", signedAt: "2026-01-15" },
      payoutBlocker: null,
      ...fields,
      name,
      email,
    },
  });
  const user = withUser ? await createUser({ role: "AFFILIATE", affiliateId: affiliate.id, email }) : null;
  return { ...affiliate, user };
}

export async function createUser(opts: { role: SessionUser["role"]; email?: string; name?: string; affiliateId?: string; merchantId?: string }) {
  const name = opts.name ?? unique(opts.role.toLowerCase());
  return db.user.create({
    data: {
      email: opts.email ?? `${name.toLowerCase()}@test.local`,
      name,
      passwordHash: await passwordHash(),
      role: opts.role,
      affiliateId: opts.affiliateId,
      merchantId: opts.merchantId,
    },
  });
}

export const createManager = (opts: { email?: string } = {}) => createUser({ role: "MANAGER", ...opts });

export const createMerchantUser = (merchantId: string, opts: { email?: string } = {}) =>
  createUser({ role: "MERCHANT", merchantId, ...opts });

/** A link; creates the affiliate and/or offer when their ids are not given. */
export async function createLink(opts: Partial<Prisma.LinkUncheckedCreateInput> = {}) {
  return db.link.create({
    data: {
      slug: unique("l"),
      destinationUrl: "https://shop.example/landing",
      ...opts,
      affiliateId: opts.affiliateId ?? (await createAffiliate()).id,
      offerId: opts.offerId ?? (await createOffer()).id,
    },
  });
}

/** A small program: a merchant with a user, a CPA offer, an affiliate with a user, and their link. */
export async function createProgram(opts: { offer?: OfferOptions } = {}) {
  const merchant = await createMerchant();
  const [merchantUser, offer, affiliate] = await Promise.all([
    createMerchantUser(merchant.id),
    createOffer({ ...opts.offer, merchantId: merchant.id }),
    createAffiliate(),
  ]);
  const link = await createLink({ affiliateId: affiliate.id, offerId: offer.id });
  return { merchant, merchantUser, offer, affiliate: { ...affiliate, user: affiliate.user! }, link };
}

/** A signed click id for `linkId` (made with the app's CLICK_ID_SECRET, so postbacks accept it). */
export function clickIdFor(linkId: number, at = new Date()): string {
  return createClickIdCodec(env().CLICK_ID_SECRET).sign(linkId, at.getTime());
}

/** `count` billable clicks on `link` at `at` (default now), written in one statement; returns their ids. */
export async function createClicks(link: Pick<Link, "id" | "affiliateId" | "offerId">, count: number, opts: { at?: Date; billable?: boolean } = {}) {
  const at = opts.at ?? new Date();
  const billable = opts.billable ?? true;
  const rows = Array.from({ length: count }, () => ({
    id: clickIdFor(link.id, at),
    linkId: link.id,
    affiliateId: link.affiliateId,
    offerId: link.offerId,
    createdAt: at,
    billable,
    isBot: !billable,
  }));
  await bulkInsert(getPool(), "clicks", { id: "text", linkId: "int4", affiliateId: "text", offerId: "text", createdAt: "timestamptz", billable: "bool", isBot: "bool" }, rows);
  return rows.map((r) => r.id);
}

/**
 * A conversion on `link` and its commission (10.00 in the offer's currency, PENDING, unless told otherwise).
 * For tests that need rows to read; the real path from a postback lives in server/conversions.
 */
export async function createConversion(
  link: Pick<Link, "id" | "affiliateId" | "offerId">,
  opts: { amountMinor?: number; at?: Date; txnId?: string; commission?: Partial<Prisma.CommissionUncheckedCreateInput> } = {},
) {
  const offer = await db.offer.findUniqueOrThrow({ where: { id: link.offerId } });
  const at = opts.at ?? new Date();
  const conversion = await db.conversion.create({
    data: {
      merchantId: offer.merchantId,
      offerId: offer.id,
      affiliateId: link.affiliateId,
      linkId: link.id,
      clickId: clickIdFor(link.id, at),
      clickedAt: at,
      txnId: opts.txnId ?? unique("txn"),
      amountMinor: opts.amountMinor ?? 5000,
      currency: offer.currency,
      status: "APPROVED",
      createdAt: at,
    },
  });
  const commission = await db.commission.create({
    data: {
      conversionId: conversion.id,
      affiliateId: link.affiliateId,
      offerId: offer.id,
      amountMinor: 1000,
      currency: offer.currency,
      status: "PENDING",
      holdUntil: new Date(at.getTime() + offer.holdingPeriodDays * 86_400_000),
      createdAt: at,
      ...opts.commission,
    },
  });
  return { conversion, commission };
}

/**
 * tRPC as `user` (null: signed out), through the same procedures, middlewares and context shape as an HTTP call
 * (only the cookie decoding is skipped).
 */
export function callerFor(user: Parameters<typeof toSessionUser>[0] | null) {
  const session = user ? { user: toSessionUser(user), expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  return createCaller(createInnerContext(session));
}

type WebhookEndpointOptions = Omit<Prisma.WebhookEndpointUncheckedCreateInput, "id" | "secret" | "previousSecret"> & {
  /** Plain `whsec_…` secrets; stored sealed, as the app stores them. */
  secret?: string;
  previousSecret?: string;
};

/** A webhook endpoint (secret generated unless given); returns the row with `secret` and `previousSecret` in plain. */
export async function createWebhookEndpoint({ secret = generateSecret(), previousSecret, ...fields }: WebhookEndpointOptions) {
  const id = randomUUID();
  const row = await db.webhookEndpoint.create({
    data: { ...fields, id, secret: sealSecret(secret, id), previousSecret: previousSecret && sealSecret(previousSecret, id) },
  });
  return { ...row, secret, previousSecret: previousSecret ?? null };
}
