// Affiliate accounts as managers run them: the list, and suspension. A suspended affiliate's tracking links stop
// redirecting on every server within a second (the links' NOTIFY trigger follows affiliates.active), they cannot
// sign in, and the sessions they hold end at their next request and stay over after a reactivation
// (users.sessionsRevokedAt; server/auth/options.ts reads the account on every session read). Their commissions are
// left alone: holding, reversing or paying them stays a manager's decision on the Conversions and Fraud pages.
// Every change is audited, with its reason.
import { z } from "zod";
import type { Db, Prisma } from "../db";
import { DomainError } from "../errors";

export const affiliateListInput = z.object({
  search: z.string().trim().max(100).optional(),
  status: z.enum(["all", "active", "suspended"]).default("all"),
});

export const affiliateChoicesInput = z.object({
  search: z.string().trim().max(100).optional(),
  /** Always included (the value a form holds), whatever the search. */
  selected: z.string().min(1).max(100).optional(),
});

export const setAffiliateActiveInput = z.object({
  affiliateId: z.string().min(1).max(100),
  active: z.boolean(),
  reason: z.string().trim().max(500, "A reason has at most 500 characters").optional(),
});

const PAGE = 100;

/** Affiliates by name or email (at most 100), suspended ones first: they are the ones a manager comes back to. */
export async function listAffiliates(db: Db, input: z.output<typeof affiliateListInput>) {
  const q = input.search;
  const where: Prisma.AffiliateWhereInput = {
    ...(q ? { OR: [{ name: { contains: q, mode: "insensitive" } }, { email: { contains: q, mode: "insensitive" } }] } : {}),
    ...(input.status === "all" ? {} : { active: input.status === "active" }),
  };
  const [rows, total] = await Promise.all([
    db.affiliate.findMany({
      where,
      select: {
        id: true,
        name: true,
        email: true,
        active: true,
        createdAt: true,
        payoutMethod: true,
        payoutBlocker: true,
        user: { select: { email: true } },
        _count: { select: { links: { where: { active: true } } } },
      },
      orderBy: [{ active: "asc" }, { name: "asc" }],
      take: PAGE,
    }),
    db.affiliate.count({ where }),
  ]);
  const affiliates = rows.map(({ user, _count, ...a }) => ({ ...a, login: user?.email ?? null, activeLinks: _count.links }));
  return { affiliates, total };
}

const CHOICES = 50;

/**
 * Affiliates to pick from in a form or a filter: the first 50 by name matching the search (name or email), plus the
 * selected one. A program has thousands: forms search, they never list them all.
 */
export async function affiliateChoices(db: Db, input: z.output<typeof affiliateChoicesInput>) {
  const q = input.search;
  const where: Prisma.AffiliateWhereInput = q ? { OR: [{ name: { contains: q, mode: "insensitive" } }, { email: { contains: q, mode: "insensitive" } }] } : {};
  const [rows, total, selected] = await Promise.all([
    db.affiliate.findMany({ where, select: { id: true, name: true }, orderBy: [{ name: "asc" }, { id: "asc" }], take: CHOICES }),
    db.affiliate.count({ where }),
    input.selected ? db.affiliate.findUnique({ where: { id: input.selected }, select: { id: true, name: true } }) : null,
  ]);
  const choices = selected && !rows.some((r) => r.id === selected.id) ? [selected, ...rows] : rows;
  return { choices, total, shown: rows.length };
}

/** Suspends or reactivates an affiliate; a call that changes nothing writes nothing. */
export async function setAffiliateActive(db: Db, input: z.output<typeof setAffiliateActiveInput>, actorId: string) {
  return db.$transaction(async (tx) => {
    const [before] = await tx.$queryRaw<{ active: boolean }[]>`SELECT active FROM affiliates WHERE id = ${input.affiliateId} FOR UPDATE`;
    if (!before) throw new DomainError("not_found", "That affiliate no longer exists.");
    if (before.active !== input.active) {
      // The links trigger sends NOTIFY link_changed on commit: every server's cache drops (or restores) the links.
      await tx.affiliate.update({ where: { id: input.affiliateId }, data: { active: input.active } });
      if (!input.active) await tx.user.updateMany({ where: { affiliateId: input.affiliateId }, data: { sessionsRevokedAt: new Date() } });
      await tx.auditLog.create({
        data: {
          actorId,
          action: input.active ? "affiliate.reactivate" : "affiliate.suspend",
          entityType: "affiliate",
          entityId: input.affiliateId,
          data: { reason: input.reason || null },
        },
      });
    }
    return { affiliateId: input.affiliateId, active: input.active, changed: before.active !== input.active };
  });
}
