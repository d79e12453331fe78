// Accounts: users created by managers (merchants with their first user, managers, invited affiliates), password
// changes, managers' access resets, and each user's recent sign-ins. A new account has no usable password until its
// owner sets one through a one-time link (tokens.ts). Every change is audited.
import type { z } from "zod";
import type { Db, Prisma } from "../db";
import type { AccessTokenPurpose, Role } from "../db/generated/enums";
import { hashPassword, verifyPassword } from "../auth/password";
import { generatePostbackToken, postbackTokenFields } from "../merchants/postback-token";
import { AccountError } from "./errors";
import type { accountListInput, changePasswordInput, createManagerInput, createMerchantInput, inviteInput } from "./schema";
import { issueToken, sendLink, unusablePasswordHash } from "./tokens";

type Tx = Prisma.TransactionClient;

/** Currency a new affiliate starts with (they choose theirs with their payout details). */
export const NEW_AFFILIATE_CURRENCY = "EUR";

/** Refuses an email that already signs in (users) or names an affiliate. */
export async function assertEmailFree(tx: Tx, email: string) {
  const [user, affiliate] = await Promise.all([tx.user.findUnique({ where: { email }, select: { id: true } }), tx.affiliate.findUnique({ where: { email }, select: { id: true } })]);
  if (user || affiliate) throw new AccountError("conflict", `${email} already has an account.`, "email");
}

/** A user who sets their password through the returned one-time link. */
export async function createUserWithLink(
  tx: Tx,
  user: { email: string; name: string; role: Role; affiliateId?: string; merchantId?: string },
  actorId: string | null,
  passwordHash: string,
) {
  const created = await tx.user.create({ data: { ...user, passwordHash, passwordSet: false }, select: { id: true, email: true, name: true } });
  const link = await issueToken(tx, created.id, "SET_PASSWORD", actorId);
  return { user: created, link };
}

/** Creates an affiliate account and its user (approved applications and invitations). */
export async function createAffiliateAccount(tx: Tx, input: { name: string; email: string }, actorId: string | null, passwordHash: string) {
  await assertEmailFree(tx, input.email);
  const affiliate = await tx.affiliate.create({
    data: { name: input.name, email: input.email, payoutMethod: "PAYPAL", currency: NEW_AFFILIATE_CURRENCY },
    select: { id: true },
  });
  const { user, link } = await createUserWithLink(tx, { ...input, role: "AFFILIATE", affiliateId: affiliate.id }, actorId, passwordHash);
  return { affiliateId: affiliate.id, user, link };
}

type Issued = { user: { email: string; name: string }; link: { url: string; expiresAt: Date } };
const sent = (issued: Issued, purpose: AccessTokenPurpose = "SET_PASSWORD") => sendLink(issued.user.email, issued.user.name, issued.link, purpose);

/** An invitation: the affiliate account exists at once; the invitee sets their password through the link. */
export async function inviteAffiliate(db: Db, input: z.output<typeof inviteInput>, actorId: string) {
  const passwordHash = await unusablePasswordHash();
  const issued = await db.$transaction(async (tx) => {
    const created = await createAffiliateAccount(tx, input, actorId, passwordHash);
    await tx.auditLog.create({ data: { actorId, action: "affiliate.invite", entityType: "affiliate", entityId: created.affiliateId, data: { email: input.email } } });
    return created;
  });
  return { affiliateId: issued.affiliateId, link: await sent(issued) };
}

/** A merchant and its first user (the postback token is random and unknown: the merchant rotates it to see one). */
export async function createMerchantAccount(db: Db, input: z.output<typeof createMerchantInput>, actorId: string) {
  const passwordHash = await unusablePasswordHash();
  const issued = await db.$transaction(async (tx) => {
    await assertEmailFree(tx, input.email);
    const merchant = await tx.merchant.create({ data: { name: input.merchantName, defaultCurrency: input.defaultCurrency, ...postbackTokenFields(generatePostbackToken()) }, select: { id: true } });
    const created = await createUserWithLink(tx, { email: input.email, name: input.name, role: "MERCHANT", merchantId: merchant.id }, actorId, passwordHash);
    await tx.auditLog.create({ data: { actorId, action: "merchant.create", entityType: "merchant", entityId: merchant.id, data: { name: input.merchantName, user: input.email } } });
    return { merchantId: merchant.id, ...created };
  });
  return { merchantId: issued.merchantId, userId: issued.user.id, link: await sent(issued) };
}

/** `actorId` null: the first manager, made by `npm run manager:create` (scripts/create-manager.ts). */
export async function createManagerAccount(db: Db, input: z.output<typeof createManagerInput>, actorId: string | null) {
  const passwordHash = await unusablePasswordHash();
  const issued = await db.$transaction(async (tx) => {
    await assertEmailFree(tx, input.email);
    const created = await createUserWithLink(tx, { ...input, role: "MANAGER" }, actorId, passwordHash);
    await tx.auditLog.create({ data: { actorId, action: "manager.create", entityType: "user", entityId: created.user.id, data: { email: input.email } } });
    return created;
  });
  return { userId: issued.user.id, link: await sent(issued) };
}

/** Users by name or email (at most 100), for the managers' accounts page. */
export async function listAccounts(db: Db, input: z.output<typeof accountListInput>) {
  const q = input.search;
  const users = await db.user.findMany({
    where: q ? { OR: [{ name: { contains: q, mode: "insensitive" } }, { email: { contains: q, mode: "insensitive" } }] } : {},
    select: { id: true, name: true, email: true, role: true, passwordSet: true, createdAt: true, merchant: { select: { name: true } }, affiliate: { select: { active: true } } },
    orderBy: [{ role: "asc" }, { name: "asc" }],
    take: 100,
  });
  return users;
}

/**
 * A manager resets an affiliate's or merchant user's access: their password stops working, their sessions end,
 * and they set a new one through the returned link. Managers' own accounts are not reset this way.
 */
export async function resetAccess(db: Db, userId: string, actorId: string) {
  const passwordHash = await unusablePasswordHash();
  const issued = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, role: true, email: true, name: true } });
    if (!user) throw new AccountError("not_found", "This user does not exist.", "userId");
    if (user.role === "MANAGER") throw new AccountError("invalid", "A manager's access is not reset here: they change their own password.", "userId");
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, passwordSet: false, sessionsRevokedAt: new Date() } });
    const link = await issueToken(tx, user.id, "RESET_PASSWORD", actorId);
    await tx.auditLog.create({ data: { actorId, action: "user.reset_access", entityType: "user", entityId: user.id, data: {} } });
    return { user, link };
  });
  return { userId, link: await sent(issued, "RESET_PASSWORD") };
}

/**
 * Changes the caller's password (their current one required). Every session of theirs ends, this one included: the
 * form signs in again with the new password, so only the browser that changed it stays signed in.
 */
export async function changePassword(db: Db, userId: string, input: z.output<typeof changePasswordInput>) {
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  if (!user) throw new AccountError("not_found", "Your account no longer exists.");
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) throw new AccountError("invalid", "The current password is wrong.", "currentPassword");
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction([
    db.user.update({ where: { id: userId }, data: { passwordHash, passwordSet: true, sessionsRevokedAt: new Date() } }),
    db.auditLog.create({ data: { actorId: userId, action: "user.change_password", entityType: "user", entityId: userId, data: {} } }),
  ]);
  return { changed: true };
}

/** How many sign-ins are kept per user (older ones are deleted as new ones come). */
export const SIGN_INS_KEPT = 20;

/** Records a successful sign-in; never fails the sign-in (the caller catches). */
export async function recordSignIn(db: Db, userId: string, ip: string | null, userAgent: string | null) {
  await db.signIn.create({ data: { userId, ip, userAgent: userAgent?.slice(0, 300) ?? null } });
  await db.$executeRaw`
    DELETE FROM sign_ins WHERE "userId" = ${userId}
      AND id NOT IN (SELECT id FROM sign_ins WHERE "userId" = ${userId} ORDER BY "createdAt" DESC LIMIT ${SIGN_INS_KEPT})`;
}

export async function recentSignIns(db: Db, userId: string) {
  return db.signIn.findMany({ where: { userId }, select: { createdAt: true, ip: true, userAgent: true }, orderBy: { createdAt: "desc" }, take: SIGN_INS_KEPT });
}
