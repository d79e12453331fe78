// Affiliates ask for a tracking link to an offer; a manager approves (the link is created, with a generated slug)
// or rejects with a reason. An offer open to affiliates (`openToAffiliates`, set by its merchant or a manager) needs
// no decision: the request is approved as it is made, audited with no actor. One pending request per affiliate and
// offer (a partial unique index). Decisions are audited.
import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { type Db, Prisma } from "../db";
import { AccountError } from "./errors";
import type { linkRequestListInput, rejectLinkRequestInput, requestLinkInput } from "./schema";

/** Offers an affiliate can ask a link for: the active ones, with whether they already have a link or a request. */
export async function offersToRequest(db: Db, affiliateId: string) {
  const [offers, links, pending] = await Promise.all([
    db.offer.findMany({
      where: { active: true },
      select: { id: true, name: true, payoutModel: true, cpaAmountMinor: true, revshareBps: true, currency: true, merchant: { select: { name: true } } },
      orderBy: { name: "asc" },
      take: 500,
    }),
    db.link.findMany({ where: { affiliateId }, select: { offerId: true }, distinct: ["offerId"] }),
    db.linkRequest.findMany({ where: { affiliateId, status: "PENDING" }, select: { offerId: true } }),
  ]);
  const linked = new Set(links.map((l) => l.offerId));
  const waiting = new Set(pending.map((r) => r.offerId));
  return offers.map((o) => ({ ...o, hasLink: linked.has(o.id), requested: waiting.has(o.id) }));
}

export async function requestLink(db: Db, affiliateId: string, input: z.output<typeof requestLinkInput>) {
  const offer = await db.offer.findUnique({ where: { id: input.offerId }, select: { active: true, openToAffiliates: true } });
  if (!offer?.active) throw new AccountError("invalid", "This offer does not exist or is not open.", "offerId");
  try {
    const request = await db.linkRequest.create({ data: { affiliateId, ...input }, select: { id: true, offerId: true, status: true, createdAt: true } });
    if (!offer.openToAffiliates) return request;
    await approveLinkRequest(db, request.id, null);
    return { ...request, status: "APPROVED" as const };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AccountError("conflict", "You already asked for a link to this offer: a manager will decide.", "offerId");
    }
    throw error;
  }
}

export async function myLinkRequests(db: Db, affiliateId: string) {
  return db.linkRequest.findMany({
    where: { affiliateId },
    select: { id: true, offerId: true, destinationUrl: true, note: true, status: true, reason: true, createdAt: true, decidedAt: true, linkId: true },
    orderBy: { createdAt: "desc" },
    take: 100,
  });
}

export async function listLinkRequests(db: Db, input: z.output<typeof linkRequestListInput>) {
  const rows = await db.linkRequest.findMany({ where: { status: input.status }, orderBy: { createdAt: input.status === "PENDING" ? "asc" : "desc" }, take: 200 });
  const [affiliates, offers] = await Promise.all([
    db.affiliate.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.affiliateId))] } }, select: { id: true, name: true, email: true } }),
    db.offer.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.offerId))] } }, select: { id: true, name: true } }),
  ]);
  const affiliate = new Map(affiliates.map((a) => [a.id, a]));
  const offer = new Map(offers.map((o) => [o.id, o]));
  return rows.map((r) => ({ ...r, affiliate: affiliate.get(r.affiliateId) ?? null, offer: offer.get(r.offerId) ?? null }));
}

async function lockPending(tx: Prisma.TransactionClient, requestId: string) {
  const [row] = await tx.$queryRaw<{ id: string; affiliateId: string; offerId: string; destinationUrl: string; status: string }[]>`
    SELECT id, "affiliateId", "offerId", "destinationUrl", status::text FROM link_requests WHERE id = ${requestId} FOR UPDATE`;
  if (!row) throw new AccountError("not_found", "This link request does not exist.", "requestId");
  if (row.status !== "PENDING") throw new AccountError("wrong_status", `This link request was already ${row.status.toLowerCase()}.`);
  return row;
}

/** A slug nobody chose: "a-" and 10 random lowercase hex characters. */
const generatedSlug = () => `a-${randomBytes(5).toString("hex")}`;

/** `actorId` null: approved by the offer's own setting (open to affiliates). */
export async function approveLinkRequest(db: Db, requestId: string, actorId: string | null) {
  return db.$transaction(async (tx) => {
    const request = await lockPending(tx, requestId);
    const [affiliate, offer] = await Promise.all([
      tx.affiliate.findUnique({ where: { id: request.affiliateId }, select: { active: true } }),
      tx.offer.findUnique({ where: { id: request.offerId }, select: { active: true } }),
    ]);
    if (!affiliate?.active) throw new AccountError("wrong_status", "This affiliate is suspended: reactivate them first.");
    if (!offer?.active) throw new AccountError("wrong_status", "This offer is no longer active.");
    const link = await tx.link.create({ data: { slug: generatedSlug(), affiliateId: request.affiliateId, offerId: request.offerId, destinationUrl: request.destinationUrl }, select: { id: true, slug: true } });
    await tx.linkRequest.update({ where: { id: requestId }, data: { status: "APPROVED", decidedById: actorId, decidedAt: new Date(), linkId: link.id } });
    await tx.auditLog.create({ data: { actorId, action: "link_request.approve", entityType: "link_request", entityId: requestId, data: { linkId: link.id } } });
    return { requestId, link };
  });
}

export async function rejectLinkRequest(db: Db, input: z.output<typeof rejectLinkRequestInput>, actorId: string) {
  return db.$transaction(async (tx) => {
    await lockPending(tx, input.requestId);
    await tx.linkRequest.update({ where: { id: input.requestId }, data: { status: "REJECTED", reason: input.reason, decidedById: actorId, decidedAt: new Date() } });
    await tx.auditLog.create({ data: { actorId, action: "link_request.reject", entityType: "link_request", entityId: input.requestId, data: { reason: input.reason } } });
    return { requestId: input.requestId, status: "REJECTED" as const };
  });
}
