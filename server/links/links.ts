// Link management (managers) and an affiliate's view of their links. Writes go through Prisma; every write fires
// the links trigger, so each running server's /go cache picks the change up within a second (server/tracking).
import { Prisma, db } from "../db";
import { env } from "../env";
import { GO_PREFIX } from "../tracking/slug";
import { type ClickCounts, clickCounts, conversionCounts } from "../reporting/links";
import type { CreateLinkInput, ListLinksInput, UpdateLinkInput } from "./schema";

export const PAGE_SIZE = 50;

export class LinkError extends Error {
  constructor(
    readonly code: "CONFLICT" | "NOT_FOUND" | "BAD_REQUEST",
    message: string,
  ) {
    super(message);
  }
}

/** The public URL an affiliate shares: this instance's base URL (NEXTAUTH_URL) + /go/<slug>. */
export function trackingUrl(slug: string): string {
  const config = env();
  const base = config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`;
  return new URL(GO_PREFIX + slug, base).toString();
}

const linkSelect = {
  id: true,
  slug: true,
  destinationUrl: true,
  active: true,
  createdAt: true,
  updatedAt: true,
  affiliate: { select: { id: true, name: true } },
  offer: { select: { id: true, name: true, clickIdParam: true, merchant: { select: { name: true } } } },
} satisfies Prisma.LinkSelect;

type LinkView = Prisma.LinkGetPayload<{ select: typeof linkSelect }>;

function withCounts(links: LinkView[], counts: Map<number, ClickCounts>) {
  return links.map((link) => ({ ...link, trackingUrl: trackingUrl(link.slug), clicks30d: counts.get(link.id) ?? NO_CLICKS }));
}

const NO_CLICKS: ClickCounts = { total: 0, billable: 0, bots: 0, repeats: 0 };

/**
 * Links whose slug or destination contains the search, or whose affiliate's or offer's name does. The names are
 * matched first, in their own (small) tables, so the links are filtered by plain columns: one pass over links, not a
 * join per link.
 */
async function searchFilter(search: string): Promise<Prisma.LinkWhereInput> {
  const named = { name: { contains: search, mode: "insensitive" as const } };
  const [affiliates, offers] = await Promise.all([
    db.affiliate.findMany({ where: named, select: { id: true }, take: 1_000 }),
    db.offer.findMany({ where: named, select: { id: true }, take: 1_000 }),
  ]);
  return {
    OR: [
      { slug: { contains: search.toLowerCase() } },
      { destinationUrl: { contains: search, mode: "insensitive" } },
      ...(affiliates.length ? [{ affiliateId: { in: affiliates.map((a) => a.id) } }] : []),
      ...(offers.length ? [{ offerId: { in: offers.map((o) => o.id) } }] : []),
    ],
  };
}

export async function listLinks({ search, page }: ListLinksInput) {
  const where: Prisma.LinkWhereInput = search ? await searchFilter(search) : {};
  const [total, links] = await Promise.all([
    db.link.count({ where }),
    db.link.findMany({ where, select: linkSelect, orderBy: { id: "desc" }, skip: (page - 1) * PAGE_SIZE, take: PAGE_SIZE }),
  ]);
  const counts = await clickCounts({ linkIds: links.map((l) => l.id) });
  return { items: withCounts(links, counts), total, page, pageSize: PAGE_SIZE };
}

const affiliateLinkSelect = {
  ...linkSelect,
  offer: {
    select: { id: true, name: true, payoutModel: true, cpaAmountMinor: true, revshareBps: true, currency: true, merchant: { select: { name: true } } },
  },
} satisfies Prisma.LinkSelect;

/** An affiliate's links with their tracking URLs, offer terms, and 30 days of clicks (by kind) and conversions. */
export async function affiliateLinks(affiliateId: string, now = new Date()) {
  const [links, clicks, conversionCount] = await Promise.all([
    db.link.findMany({ where: { affiliateId }, select: affiliateLinkSelect, orderBy: { id: "desc" } }),
    clickCounts({ affiliateId }, 30, now),
    conversionCounts({ affiliateId }, 30, now),
  ]);
  return links.map((link) => ({
    ...link,
    trackingUrl: trackingUrl(link.slug),
    clicks30d: clicks.get(link.id) ?? NO_CLICKS,
    conversions30d: conversionCount.get(link.id) ?? 0,
  }));
}

/** Active offers a new link can use (the form's choices; affiliates are searched: manager.affiliateChoices). */
export async function linkFormOptions() {
  const offers = await db.offer.findMany({ where: { active: true }, select: { id: true, name: true, merchant: { select: { name: true } } }, orderBy: { name: "asc" } });
  return { offers };
}

export async function createLink(input: CreateLinkInput) {
  const [affiliate, offer] = await Promise.all([
    db.affiliate.findUnique({ where: { id: input.affiliateId }, select: { active: true } }),
    db.offer.findUnique({ where: { id: input.offerId }, select: { active: true } }),
  ]);
  if (!affiliate?.active) throw new LinkError("BAD_REQUEST", "This affiliate does not exist or is inactive.");
  if (!offer?.active) throw new LinkError("BAD_REQUEST", "This offer does not exist or is inactive.");
  try {
    return await db.link.create({ data: input, select: linkSelect });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new LinkError("CONFLICT", `The slug "${input.slug}" is already taken: choose another.`);
    }
    throw error;
  }
}

export async function updateLink({ id, ...changes }: UpdateLinkInput) {
  try {
    return await db.link.update({ where: { id }, data: changes, select: linkSelect });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") {
      throw new LinkError("NOT_FOUND", "This link does not exist.");
    }
    throw error;
  }
}
