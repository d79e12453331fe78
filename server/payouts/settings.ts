// An affiliate's payout settings (method, details, currency, tax form) and the program's payout policy (minimum
// per currency, default holding period, schedule). Every change is audited (details masked in the log); an
// affiliate's change applies to the next run, since a run copies the details into its payouts when it is created.
import { z } from "zod";
import { db } from "../db";
import { type PayoutDetails, type PayoutSettingsFormInput, describeDetails, maskTail, payoutBlocker, payoutDetailsInput, taxInfoInput } from "./details";
import { PayoutError } from "./errors";

/** What the affiliate's form shows: details in full for their own account number fields except the tax id. */
export async function myPayoutSettings(affiliateId: string) {
  const a = await db.affiliate.findUniqueOrThrow({
    where: { id: affiliateId },
    select: { payoutMethod: true, payoutDetails: true, currency: true, taxForm: true, taxInfo: true, payoutBlocker: true, payoutDetailsUpdatedAt: true },
  });
  const details = payoutDetailsInput.safeParse(a.payoutDetails);
  const tax = taxInfoInput.safeParse(a.taxInfo);
  const policy = await payoutPolicy();
  return {
    method: a.payoutMethod,
    currency: a.currency,
    details: details.success ? details.data : null,
    tax: tax.success ? { ...tax.data, taxId: undefined, taxIdMasked: maskTail(tax.data.taxId) } : null,
    blocker: a.payoutBlocker,
    updatedAt: a.payoutDetailsUpdatedAt,
    policy: { schedule: policy.schedule, minimums: policy.minimums, holdingDays: policy.defaultHoldingDays },
  };
}

/**
 * Saves method, details, currency and tax form (an empty tax id keeps the one on file; the form never receives it
 * back) and the payout blocker the runs read. Invalid tax information is refused with the field's message.
 */
export async function savePayoutSettings(affiliateId: string, actorId: string, input: PayoutSettingsFormInput) {
  return db.$transaction(async (tx) => {
    const before = await tx.affiliate.findUniqueOrThrow({ where: { id: affiliateId }, select: { payoutMethod: true, payoutDetails: true, currency: true, taxForm: true, taxInfo: true } });
    const onFile = taxInfoInput.safeParse(before.taxInfo);
    const checked = taxInfoInput.safeParse({ ...input.tax, taxId: input.tax.taxId || (onFile.success ? onFile.data.taxId : "") });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      throw new PayoutError("invalid", issue.path[0] === "taxId" && !input.tax.taxId ? "Enter your tax identification number." : issue.message, [], `tax.${issue.path.join(".")}`);
    }
    const details: PayoutDetails = input.details;
    const tax = checked.data;
    const blocker = payoutBlocker(details.method, details, tax);
    await tx.affiliate.update({
      where: { id: affiliateId },
      data: { payoutMethod: details.method, payoutDetails: details, currency: input.currency, taxForm: tax.form, taxInfo: tax, payoutBlocker: blocker, payoutDetailsUpdatedAt: new Date() },
    });
    const prior = payoutDetailsInput.safeParse(before.payoutDetails);
    await tx.auditLog.create({
      data: {
        actorId,
        action: "affiliate.payout_settings.update",
        entityType: "affiliate",
        entityId: affiliateId,
        data: {
          before: { method: before.payoutMethod, details: prior.success ? describeDetails(prior.data) : null, currency: before.currency, taxForm: before.taxForm },
          after: { method: details.method, details: describeDetails(details), currency: input.currency, taxForm: tax.form, taxId: maskTail(tax.taxId) },
        },
      },
    });
    return { blocker };
  });
}

const minor = z.number().int({ error: "Whole minor units (cents)." }).min(0, { error: "Not negative." }).max(1_000_000_000, { error: "At most 10,000,000.00." });

export const payoutPolicyInput = z.object({
  minimums: z.record(z.string().regex(/^[A-Z]{3}$/, { error: "A three-letter currency code." }), minor),
  defaultHoldingDays: z.number().int().min(0, { error: "Not negative." }).max(365, { error: "At most 365 days." }),
  schedule: z.string().trim().min(1, { error: "For example: monthly, NET-15." }).max(100, { error: "At most 100 characters." }),
});
export type PayoutPolicyInput = z.infer<typeof payoutPolicyInput>;

export async function payoutPolicy() {
  const row = await db.programSettings.findUnique({ where: { id: 1 }, select: { payoutMinimums: true, defaultHoldingDays: true, payoutSchedule: true } });
  return {
    minimums: (row?.payoutMinimums ?? {}) as Record<string, number>,
    defaultHoldingDays: row?.defaultHoldingDays ?? 30,
    schedule: row?.payoutSchedule ?? "monthly, NET-15",
  };
}

export async function updatePayoutPolicy(input: PayoutPolicyInput, actorId: string) {
  return db.$transaction(async (tx) => {
    const before = await tx.programSettings.findUnique({ where: { id: 1 }, select: { payoutMinimums: true, defaultHoldingDays: true, payoutSchedule: true } });
    const data = { payoutMinimums: input.minimums, defaultHoldingDays: input.defaultHoldingDays, payoutSchedule: input.schedule };
    await tx.programSettings.upsert({ where: { id: 1 }, create: { id: 1, name: "Affiliate program", ...data }, update: data });
    await tx.auditLog.create({ data: { actorId, action: "program.payout_policy.update", entityType: "program_settings", entityId: "1", data: { before: before ?? null, after: data } } });
    return payoutPolicy();
  });
}
