// The demo program as plain rows, built without I/O: a florist (the `demo-token` merchant) and a SaaS merchant,
// three offers, twenty affiliates with links, a month of clicks and the conversions (some reached through several
// affiliates' clicks: touch paths of 2–4), commissions and one paid payout run that follow from them, and daily
// EUR/USD rates. Deterministic for a given seed and `now`, so tests can rely on its shape.
import { randomUUID } from "node:crypto";
import type { Prisma } from "../db";
import { type Tier, computeCommission } from "../conversions/commission";
// The same seeded generator the fraud simulations use (mulberry32), so the demo looks the same on every machine.
import { seededRandom } from "../fraud/simulate";
import { type PayoutDetails, payoutBlocker, recipientOf } from "../payouts/details";

export const DEMO_POSTBACK_TOKEN = "demo-token";
export const DEMO_SLUG = "demo";
export const DEMO_DAYS = 30;
export const DEMO_CLICKS = 10_000;
export const DEMO_CONVERSIONS = 500;
/** Days of EUR/USD rates, up to today: more than the demo's month, so every demo sale has a fresh rate. */
export const DEMO_FX_DAYS = 35;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Rng = () => number;

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

const AFFILIATES = [
  ["Petal Post", "PAYPAL", "EUR"],
  ["Green Thumb Weekly", "BANK_TRANSFER", "EUR"],
  ["SaaS Stack Reviews", "WISE", "USD"],
  ["The Gift Guide", "PAYPAL", "EUR"],
  ["Bloom Deals", "PAYPAL", "EUR"],
  ["DevTools Digest", "WISE", "USD"],
  ["Home & Garden Hub", "BANK_TRANSFER", "EUR"],
  ["Startup Toolbox", "PAYPAL", "USD"],
  ["Weekend Florist", "BANK_TRANSFER", "EUR"],
  ["Coupon Corner", "PAYPAL", "EUR"],
  ["Product Hunt Picks", "WISE", "USD"],
  ["Wedding Planner Blog", "BANK_TRANSFER", "EUR"],
  ["Remote Work Daily", "PAYPAL", "USD"],
  ["Mother's Day Ideas", "PAYPAL", "EUR"],
  ["Indie Hackers Notes", "WISE", "USD"],
  ["City Living Magazine", "BANK_TRANSFER", "EUR"],
  ["Budget Gifting", "PAYPAL", "EUR"],
  ["No-Code Newsletter", "WISE", "USD"],
  ["Plant Parent Club", "BANK_TRANSFER", "EUR"],
  ["Tech Gift Finder", "PAYPAL", "USD"],
] as const;

const USER_AGENTS = [
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
];
const BOT_AGENT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

export interface DemoInput {
  now: Date;
  /** Ids reserved from the links sequence, one per link (demoLinkCount()). */
  linkIds: number[];
  /** Signs a click id for (link, time): createClickIdCodec(secret).sign. */
  signClick: (linkId: number, atMs: number) => string;
  /** bcrypt hash of the demo password (shared by the three logins). */
  passwordHash: string;
  seed?: number;
}

/** 2 links for most affiliates, 3 for every third; computed the same way by demoLinkCount and the builder. */
const linksOf = (index: number) => (index % 3 === 0 ? 3 : 2);

export function demoLinkCount(): number {
  return AFFILIATES.reduce((sum, _, i) => sum + linksOf(i), 0);
}

const slugify = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/(^-|-$)/g, "");

export function buildDemoProgram({ now, linkIds, signClick, passwordHash, seed = 42 }: DemoInput) {
  const rng = seededRandom(seed);
  const nowMs = now.getTime();
  const id = () => randomUUID();

  const settings = { id: 1, name: "Bloom & Stack Partner Program", payoutMinimums: { EUR: 1000, USD: 1000 }, payoutSchedule: "monthly, NET-15", updatedAt: now };

  const bloom = { id: id(), name: "Bloom & Co.", defaultCurrency: "EUR", token: DEMO_POSTBACK_TOKEN };
  const stackwise = { id: id(), name: "Stackwise", defaultCurrency: "USD", token: `pbt_demo_${randomUUID()}` };
  const merchants = [bloom, stackwise];

  const offerRows = [
    {
      id: id(), merchantId: bloom.id, name: "Flower delivery: first order", payoutModel: "CPA", cpaAmountMinor: 800,
      revshareBps: null, currency: "EUR", attributionWindowDays: 30, holdingPeriodDays: 7,
      landing: "https://bloom.example/first-order", sale: () => 3500 + Math.floor(rng() * 85) * 100 + 90,
    },
    {
      id: id(), merchantId: bloom.id, name: "Bloom subscription", payoutModel: "REVSHARE", cpaAmountMinor: null,
      revshareBps: 1200, currency: "EUR", attributionWindowDays: 30, holdingPeriodDays: 14,
      landing: "https://bloom.example/subscribe", sale: () => pick(rng, [2990, 4990, 7990]),
    },
    {
      id: id(), merchantId: stackwise.id, name: "Stackwise Pro (annual)", payoutModel: "REVSHARE", cpaAmountMinor: null,
      revshareBps: 2000, currency: "USD", attributionWindowDays: 60, holdingPeriodDays: 14,
      landing: "https://stackwise.example/pricing", sale: () => pick(rng, [19_000, 49_000, 99_000, 149_000]),
    },
  ] as const;
  const offers: Prisma.OfferCreateManyInput[] = offerRows.map(({ landing: _, sale: __, ...o }) => ({ ...o, createdAt: new Date(nowMs - 120 * DAY) }));
  const tiers = [
    { id: id(), offerId: offerRows[0].id, minConversions: 20, cpaAmountMinor: 1000, revshareBps: null },
    { id: id(), offerId: offerRows[0].id, minConversions: 50, cpaAmountMinor: 1200, revshareBps: null },
  ];

  // Complete payout details and tax forms (W-8BEN for the EUR affiliates, W-9 for the US ones), except the last
  // affiliate: it has no tax form on file, so managers see it as "not payable" and its earnings carry over.
  const affiliates: Prisma.AffiliateCreateManyInput[] = AFFILIATES.map(([name, payoutMethod, currency], i) => {
    const email = i === 0 ? "affiliate@demo.test" : `${slugify(name)}@partners.example`;
    const us = currency === "USD";
    const payoutDetails: PayoutDetails =
      payoutMethod === "BANK_TRANSFER"
        ? us
          ? { method: "BANK_TRANSFER", scheme: "ACCOUNT", holder: name, accountNumber: String(40_000_000 + i * 7919), routingNumber: "021000021" }
          : { method: "BANK_TRANSFER", scheme: "IBAN", holder: name, iban: germanIban(String(370_400_440_532_013_000n + BigInt(i * 7919))), bic: "COBADEFFXXX" }
        : payoutMethod === "WISE"
          ? { method: "WISE", scheme: "EMAIL", holder: name, email }
          : { method: "PAYPAL", email };
    const taxInfo =
      i === AFFILIATES.length - 1
        ? {}
        : us
          ? { form: "W9" as const, legalName: `${name} LLC`, country: "US", taxId: `12-${String(3_456_700 + i)}`, signedAt: "2026-01-15" }
          : { form: "W8BEN" as const, legalName: `${name} GmbH`, country: "DE", taxId: `DE${String(123_456_700 + i)}`, signedAt: "2026-01-15" };
    const taxForm = "form" in taxInfo ? taxInfo.form : null;
    const payoutBlockerText = payoutBlocker(payoutMethod, payoutDetails, taxInfo);
    return { id: id(), name, email, payoutMethod, payoutDetails, currency, taxForm, taxInfo, payoutBlocker: payoutBlockerText, createdAt: new Date(nowMs - (90 - i) * DAY) };
  });

  // Florist-minded affiliates promote Bloom, tech ones Stackwise; everyone gets a varied mix.
  const links: Array<Prisma.LinkCreateManyInput & { id: number; weight: number }> = [];
  affiliates.forEach((affiliate, i) => {
    const usd = affiliate.currency === "USD";
    const offerOrder = usd ? [2, 0, 1] : [0, 1, 2];
    for (let k = 0; k < linksOf(i); k++) {
      const offer = offerRows[offerOrder[k]!]!;
      const slug = i === 0 && k === 0 ? DEMO_SLUG : `${slugify(affiliate.name)}-${k + 1}`;
      links.push({
        id: linkIds[links.length]!,
        slug,
        affiliateId: affiliate.id!,
        offerId: offer.id,
        destinationUrl: `${offer.landing}?utm_source=affiliate&utm_campaign=${slugify(affiliate.name)}`,
        active: !(i === 9 && k === 1), // one paused link, as real programs have
        createdAt: new Date(nowMs - (60 - i) * DAY),
        updatedAt: now,
        // Popularity: a few strong links, a long tail; the demo login's link does well.
        weight: slug === DEMO_SLUG ? 4 : 0.2 + rng() ** 2 * 3,
      });
    }
  });
  if (links.length !== linkIds.length) throw new Error(`expected ${linkIds.length} link ids, built ${links.length} links`);

  const manager = { id: id(), email: "manager@demo.test", name: "Morgan Reyes", role: "MANAGER", passwordHash } as const;
  const users: Prisma.UserCreateManyInput[] = [
    { id: id(), email: "affiliate@demo.test", name: "Ana Ribeiro", role: "AFFILIATE", affiliateId: affiliates[0]!.id, passwordHash },
    // A second affiliate login (Coupon Corner's), for trying what a suspension does to a signed-in affiliate.
    { id: id(), email: "coupons@demo.test", name: "Casey Moreau", role: "AFFILIATE", affiliateId: affiliates[9]!.id, passwordHash },
    manager,
    { id: id(), email: "merchant@demo.test", name: "Sam Bloom", role: "MERCHANT", merchantId: bloom.id, passwordHash },
  ];

  const clicks = buildClicks(rng, nowMs, links, signClick);
  const activity = buildConversions(rng, nowMs, clicks, offerRows, tiers, affiliates, manager.id);
  const fxRates = buildFxRates(rng, nowMs);
  return { settings, merchants, offers, tiers, affiliates, links, users, clicks, ...activity, fxRates };
}

/** 1 EUR in USD for each of the last DEMO_FX_DAYS days: a gentle random walk around 1.08, four decimals. */
function buildFxRates(rng: Rng, nowMs: number): Prisma.FxRateCreateManyInput[] {
  const today = nowMs - (nowMs % DAY);
  let tenThousandths = 10_800;
  return Array.from({ length: DEMO_FX_DAYS }, (_, i) => {
    tenThousandths += Math.round((rng() - 0.5) * 40);
    const digits = String(tenThousandths);
    return { id: randomUUID(), base: "EUR", quote: "USD", rate: `${digits.slice(0, -4)}.${digits.slice(-4)}`, asOf: new Date(today - (DEMO_FX_DAYS - 1 - i) * DAY) };
  });
}

type ClickRow = Prisma.ClickCreateManyInput & { createdAt: Date };

function buildClicks(rng: Rng, nowMs: number, links: Array<{ id: number; affiliateId: string; offerId: string; weight: number; slug: string }>, sign: DemoInput["signClick"]) {
  const totalWeight = links.reduce((sum, l) => sum + l.weight, 0);
  const chooseLink = () => {
    let r = rng() * totalWeight;
    for (const link of links) if ((r -= link.weight) <= 0) return link;
    return links[links.length - 1]!;
  };
  // Traffic grows over the month, dips at weekends, and today is only partly over.
  const startOfToday = nowMs - (nowMs % DAY);
  const dayWeights = Array.from({ length: DEMO_DAYS }, (_, d) => {
    const start = startOfToday - (DEMO_DAYS - 1 - d) * DAY;
    const weekend = [0, 6].includes(new Date(start).getUTCDay());
    const elapsed = d === DEMO_DAYS - 1 ? (nowMs - start) / DAY : 1;
    return { start, elapsed, weight: (0.7 + (0.6 * d) / DEMO_DAYS) * (weekend ? 0.75 : 1) * (0.85 + rng() * 0.3) * elapsed };
  });
  const sum = dayWeights.reduce((s, d) => s + d.weight, 0);
  const times: number[] = [];
  for (const day of dayWeights) {
    const n = Math.round((DEMO_CLICKS * day.weight) / sum);
    for (let i = 0; i < n && times.length < DEMO_CLICKS; i++) times.push(day.start + Math.floor(rng() * day.elapsed * DAY));
  }
  while (times.length < DEMO_CLICKS) times.push(nowMs - Math.floor(rng() * HOUR));
  times.sort((a, b) => a - b);

  return times.map((at): ClickRow => {
    const link = chooseLink();
    const bot = rng() < 0.02;
    return {
      id: sign(link.id, at),
      linkId: link.id,
      affiliateId: link.affiliateId,
      offerId: link.offerId,
      createdAt: new Date(at),
      ip: `${pick(rng, ["203.0.113", "198.51.100", "192.0.2"])}.${1 + Math.floor(rng() * 254)}`,
      userAgent: bot ? BOT_AGENT : pick(rng, USER_AGENTS),
      referer: link.slug === DEMO_SLUG ? "https://petalpost.example/best-flower-delivery" : null,
      sub1: rng() < 0.3 ? pick(rng, ["newsletter", "sidebar", "review", "instagram"]) : null,
      billable: !bot,
      isBot: bot,
      isRepeat: !bot && rng() < 0.01,
    };
  });
}

interface OfferFacts {
  id: string;
  merchantId: string;
  payoutModel: "CPA" | "REVSHARE";
  cpaAmountMinor: number | null;
  revshareBps: number | null;
  currency: string;
  holdingPeriodDays: number;
  sale: () => number;
}

function buildConversions(
  rng: Rng,
  nowMs: number,
  clicks: ClickRow[],
  offers: readonly OfferFacts[],
  tiers: Array<Tier & { offerId: string }>,
  affiliates: Prisma.AffiliateCreateManyInput[],
  managerId: string,
) {
  // The payout run that paid everything approved up to six days ago.
  const periodEnd = new Date(nowMs - 6 * DAY);
  const run = {
    id: randomUUID(),
    status: "PAID",
    periodEnd,
    createdById: managerId,
    approvedById: managerId,
    approvedAt: periodEnd,
    paidAt: new Date(nowMs - 5 * DAY),
    createdAt: periodEnd,
  } satisfies Prisma.PayoutRunCreateManyInput;

  const candidates = clicks.filter((c) => c.billable && !c.isRepeat && c.createdAt.getTime() < nowMs - 10 * 60_000);
  const chosen = new Set<number>();
  while (chosen.size < Math.min(DEMO_CONVERSIONS, candidates.length)) chosen.add(Math.floor(rng() * candidates.length));

  const offerById = new Map(offers.map((o) => [o.id, o]));
  const earlierTouches = touchPicker(rng, candidates, offerById);
  // Tiers count an affiliate's conversions on the offer per calendar month (UTC), this one included.
  const monthlyCount = new Map<string, number>();
  const conversions: Prisma.ConversionCreateManyInput[] = [];
  const commissions: Array<Prisma.CommissionCreateManyInput & { amountMinor: number; affiliateId: string; currency: string }> = [];
  let order = 100_000;
  for (const index of [...chosen].sort((a, b) => a - b)) {
    const click = candidates[index]!;
    const offer = offerById.get(click.offerId)!;
    const clickedAt = click.createdAt.getTime();
    const createdAt = new Date(Math.min(clickedAt + Math.floor(rng() ** 3 * 36 * HOUR) + 60_000, nowMs - 60_000));
    const refunded = rng() < 0.03;
    const amountMinor = offer.sale();
    const conversionId = randomUUID();
    conversions.push({
      id: conversionId,
      merchantId: offer.merchantId,
      offerId: offer.id,
      affiliateId: click.affiliateId,
      linkId: click.linkId,
      clickId: click.id,
      clickedAt: click.createdAt,
      txnId: `ORD-${++order}`,
      customerId: `cus_${(order * 7919).toString(36)}`,
      amountMinor,
      currency: offer.currency,
      status: refunded ? "REFUNDED" : "APPROVED",
      ip: click.ip,
      sub1: click.sub1,
      touchPath: [...earlierTouches(click), click].map((c) => ({ clickId: c.id, affiliateId: c.affiliateId, at: c.createdAt.toISOString() })),
      createdAt,
      updatedAt: createdAt,
    });
    const holdUntil = new Date(createdAt.getTime() + offer.holdingPeriodDays * DAY);
    const monthKey = `${click.affiliateId}|${offer.id}|${createdAt.toISOString().slice(0, 7)}`;
    const conversionNumber = (monthlyCount.get(monthKey) ?? 0) + 1;
    monthlyCount.set(monthKey, conversionNumber);
    const computed = computeCommission({
      offer,
      tiers: tiers.filter((t) => t.offerId === offer.id),
      override: null,
      conversionNumber,
      sale: { amountMinor, currency: offer.currency },
      fx: null,
      saleDay: createdAt.toISOString().slice(0, 10),
    });
    if (!computed.ok) throw new Error(`demo commission: ${computed.message}`);
    const status = refunded ? "REVERSED" : holdUntil > new Date(nowMs) ? "PENDING" : holdUntil <= periodEnd ? "PAID" : "APPROVED";
    commissions.push({
      id: randomUUID(),
      conversionId,
      affiliateId: click.affiliateId,
      offerId: offer.id,
      amountMinor: computed.amountMinor,
      currency: offer.currency,
      status,
      calculation: computed.calculation,
      holdUntil,
      approvedAt: status === "APPROVED" || status === "PAID" ? holdUntil : null,
      paidAt: status === "PAID" ? run.paidAt : null,
      payoutId: null,
      reversedAt: refunded ? new Date(Math.min(createdAt.getTime() + 3 * DAY, nowMs)) : null,
      createdAt,
      updatedAt: createdAt,
    });
  }

  // One payout per affiliate and currency, for what the run paid, in one settled batch per method and currency.
  const byId = new Map(affiliates.map((a) => [a.id!, a]));
  const payouts = new Map<string, Prisma.PayoutCreateManyInput & { id: string; amountMinor: number; batchId: string; commissionCount: number }>();
  const batches = new Map<string, Prisma.PayoutBatchCreateManyInput & { id: string; payoutCount: number; totalMinor: number }>();
  for (const c of commissions.filter((c) => c.status === "PAID")) {
    const key = `${c.affiliateId}|${c.currency}`;
    let payout = payouts.get(key);
    if (!payout) {
      const affiliate = byId.get(c.affiliateId)!;
      const laneKey = `${affiliate.payoutMethod}|${c.currency}`;
      let batch = batches.get(laneKey);
      if (!batch) {
        batch = { id: randomUUID(), runId: run.id, method: affiliate.payoutMethod, currency: c.currency, status: "SETTLED", payoutCount: 0, totalMinor: 0, approvedById: managerId, approvedAt: periodEnd, exportedAt: run.paidAt, sentAt: run.paidAt, settledAt: run.paidAt, createdAt: periodEnd };
        batches.set(laneKey, batch);
      }
      const details = affiliate.payoutDetails as PayoutDetails;
      const to = recipientOf(details);
      payout = {
        id: randomUUID(), runId: run.id, batchId: batch.id, affiliateId: c.affiliateId, amountMinor: 0, currency: c.currency, method: affiliate.payoutMethod,
        status: "PAID", commissionCount: 0, recipientName: to.name || affiliate.name, recipient: to.recipient, recipientDetails: { ...details, targetCurrency: affiliate.currency },
        cutoff: periodEnd, commissionsSettledAt: run.paidAt, sentAt: run.paidAt, paidAt: run.paidAt, createdAt: run.paidAt,
      };
      payouts.set(key, payout);
      batch.payoutCount += 1;
    }
    payout.amountMinor += c.amountMinor;
    payout.commissionCount += 1;
    batches.get(`${payout.method}|${c.currency}`)!.totalMinor += c.amountMinor;
    c.payoutId = payout.id;
  }
  return { conversions, commissions, payoutRun: run, payoutBatches: [...batches.values()], payouts: [...payouts.values()] };
}

/** A German IBAN (bank code + account, 18 digits) with its mod-97 check digits. */
function germanIban(bban: string): string {
  const digits = bban.padStart(18, "0");
  const remainder = BigInt(`${digits}131400`) % 97n; // "DE" = 13 14, check digits 00
  return `DE${String(98n - remainder).padStart(2, "0")}${digits}`;
}

/**
 * For about one conversion in five, 1–3 earlier clicks of other affiliates on the same merchant's offers within the
 * 20 days before the paid click (inside every demo offer's window), oldest first: customers who met the brand
 * through several affiliates, so the credit report's models differ.
 */
function touchPicker(rng: Rng, clicks: ClickRow[], offers: ReadonlyMap<string, { merchantId: string }>) {
  const byMerchant = new Map<string, ClickRow[]>(); // each in time order, as `clicks` is
  for (const click of clicks) {
    const merchantId = offers.get(click.offerId)!.merchantId;
    const list = byMerchant.get(merchantId);
    if (list) list.push(click);
    else byMerchant.set(merchantId, [click]);
  }
  return (paid: ClickRow): ClickRow[] => {
    if (rng() >= 0.2) return [];
    const pool = byMerchant.get(offers.get(paid.offerId)!.merchantId)!;
    const since = paid.createdAt.getTime() - 20 * DAY;
    const earlier = pool.filter((c) => c.createdAt.getTime() >= since && c.createdAt < paid.createdAt && c.affiliateId !== paid.affiliateId);
    const picked = new Set<ClickRow>();
    const wanted = 1 + Math.floor(rng() * 3);
    for (let tries = 0; picked.size < Math.min(wanted, earlier.length) && tries < 20; tries++) picked.add(pick(rng, earlier));
    return [...picked].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  };
}
