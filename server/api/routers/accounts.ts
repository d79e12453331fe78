// Joining and accounts: the public application and set-password procedures, each user's password and sign-ins,
// and the managers' decisions, invitations, new merchant and manager accounts and access resets. Thin: the rules
// live in server/accounts.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { apply, approveApplication, listApplications, rejectApplication } from "../../accounts/applications";
import { AccountError, type AccountErrorCode } from "../../accounts/errors";
import {
  accountListInput,
  applicationListInput,
  applyInput,
  approveApplicationInput,
  changePasswordInput,
  createManagerInput,
  createMerchantInput,
  inviteInput,
  rejectApplicationInput,
  resetAccessInput,
  setPasswordInput,
  tokenInput,
} from "../../accounts/schema";
import { consumeToken, describeToken } from "../../accounts/tokens";
import { changePassword, createManagerAccount, createMerchantAccount, inviteAffiliate, listAccounts, recentSignIns, resetAccess } from "../../accounts/users";
import { createTRPCRouter, managerProcedure, protectedProcedure, publicProcedure } from "../trpc";

const CODES: Record<AccountErrorCode, TRPCError["code"]> = { not_found: "NOT_FOUND", conflict: "CONFLICT", wrong_status: "CONFLICT", invalid: "BAD_REQUEST" };

/**
 * Domain errors become tRPC errors with the same message; one naming a field carries it the way a zod input's
 * BAD_REQUEST does (data.zodError.fieldErrors), so forms show it beside the field. Anything else stays a 500.
 */
export async function mapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    const cause = error.field ? fieldIssue(error.field, error.message) : undefined;
    throw new TRPCError({ code: CODES[error.code], message: error.message, cause });
  }
}

/** A ZodError naming one field (made by a parse: a ZodError built with `new` is not an Error, so tRPC would drop it). */
function fieldIssue(field: string, message: string) {
  return z
    .unknown()
    .superRefine((_, ctx) => ctx.addIssue({ code: "custom", path: [field], message }))
    .safeParse(null).error;
}

export const accountsRouter = createTRPCRouter({
  // Public: the application form and the one-time set-password link.
  join: publicProcedure.input(applyInput).mutation(({ ctx, input }) => mapped(() => apply(ctx.db, input))),
  token: publicProcedure.input(tokenInput).query(({ ctx, input }) => describeToken(ctx.db, input.token)),
  setPassword: publicProcedure.input(setPasswordInput).mutation(({ ctx, input }) => mapped(() => consumeToken(ctx.db, input.token, input.password))),
  // Every user: their own password and sign-ins.
  changePassword: protectedProcedure.input(changePasswordInput).mutation(({ ctx, input }) => mapped(() => changePassword(ctx.db, ctx.session.user.id, input))),
  signIns: protectedProcedure.query(({ ctx }) => recentSignIns(ctx.db, ctx.session.user.id)),
  // Managers.
  applications: managerProcedure.input(applicationListInput).query(({ ctx, input }) => listApplications(ctx.db, input)),
  approveApplication: managerProcedure.input(approveApplicationInput).mutation(({ ctx, input }) => mapped(() => approveApplication(ctx.db, input.applicationId, ctx.session.user.id))),
  rejectApplication: managerProcedure.input(rejectApplicationInput).mutation(({ ctx, input }) => mapped(() => rejectApplication(ctx.db, input, ctx.session.user.id))),
  invite: managerProcedure.input(inviteInput).mutation(({ ctx, input }) => mapped(() => inviteAffiliate(ctx.db, input, ctx.session.user.id))),
  list: managerProcedure.input(accountListInput).query(({ ctx, input }) => listAccounts(ctx.db, input)),
  createMerchant: managerProcedure.input(createMerchantInput).mutation(({ ctx, input }) => mapped(() => createMerchantAccount(ctx.db, input, ctx.session.user.id))),
  createManager: managerProcedure.input(createManagerInput).mutation(({ ctx, input }) => mapped(() => createManagerAccount(ctx.db, input, ctx.session.user.id))),
  resetAccess: managerProcedure.input(resetAccessInput).mutation(({ ctx, input }) => mapped(() => resetAccess(ctx.db, input.userId, ctx.session.user.id))),
});
