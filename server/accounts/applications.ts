// Joining the program: anyone applies on the public /join page (a pending application); a manager approves it (the
// affiliate account is created and its owner sets a password through a one-time link) or rejects it with a reason.
// Decisions are audited. One pending application per email (a partial unique index).
import type { z } from "zod";
import { type Db, Prisma } from "../db";
import { AccountError } from "./errors";
import type { applicationListInput, applyInput, rejectApplicationInput } from "./schema";
import { sendLink, unusablePasswordHash } from "./tokens";
import { createAffiliateAccount } from "./users";

export async function apply(db: Db, input: z.output<typeof applyInput>, now = new Date()) {
  const { termsAccepted: _accepted, ...fields } = input;
  const existing = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (existing) throw new AccountError("conflict", "This email already has an account: sign in instead.", "email");
  try {
    const application = await db.affiliateApplication.create({ data: { ...fields, termsAcceptedAt: now }, select: { id: true, status: true } });
    return application;
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new AccountError("conflict", "An application with this email is already waiting for a decision.", "email");
    }
    throw error;
  }
}

export async function listApplications(db: Db, input: z.output<typeof applicationListInput>) {
  return db.affiliateApplication.findMany({
    where: { status: input.status },
    orderBy: { createdAt: input.status === "PENDING" ? "asc" : "desc" },
    take: 200,
  });
}

/** Locks a pending application (FOR UPDATE: two managers cannot both decide it). */
async function lockPending(tx: Prisma.TransactionClient, applicationId: string) {
  const [row] = await tx.$queryRaw<{ id: string; name: string; email: string; status: string }[]>`
    SELECT id, name, email, status::text FROM affiliate_applications WHERE id = ${applicationId} FOR UPDATE`;
  if (!row) throw new AccountError("not_found", "This application does not exist.", "applicationId");
  if (row.status !== "PENDING") throw new AccountError("wrong_status", `This application was already ${row.status.toLowerCase()}.`);
  return row;
}

export async function approveApplication(db: Db, applicationId: string, actorId: string) {
  const passwordHash = await unusablePasswordHash();
  const issued = await db.$transaction(async (tx) => {
    const application = await lockPending(tx, applicationId);
    const created = await createAffiliateAccount(tx, { name: application.name, email: application.email }, actorId, passwordHash);
    await tx.affiliateApplication.update({ where: { id: applicationId }, data: { status: "APPROVED", decidedById: actorId, decidedAt: new Date(), affiliateId: created.affiliateId } });
    await tx.auditLog.create({ data: { actorId, action: "application.approve", entityType: "affiliate_application", entityId: applicationId, data: { affiliateId: created.affiliateId } } });
    return created;
  });
  return { affiliateId: issued.affiliateId, link: await sendLink(issued.user.email, issued.user.name, issued.link, "SET_PASSWORD") };
}

export async function rejectApplication(db: Db, input: z.output<typeof rejectApplicationInput>, actorId: string) {
  return db.$transaction(async (tx) => {
    await lockPending(tx, input.applicationId);
    await tx.affiliateApplication.update({ where: { id: input.applicationId }, data: { status: "REJECTED", reason: input.reason, decidedById: actorId, decidedAt: new Date() } });
    await tx.auditLog.create({ data: { actorId, action: "application.reject", entityType: "affiliate_application", entityId: input.applicationId, data: { reason: input.reason } } });
    return { applicationId: input.applicationId, status: "REJECTED" as const };
  });
}
