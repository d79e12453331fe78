// Payouts: managers preview, create runs, move each lane (approve, export, mark sent, settle), cancel; affiliates
// keep their payout settings and read their payouts and statements. Thin: the rules live in server/payouts.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { payoutSettingsFormInput } from "../../payouts/details";
import { PayoutError } from "../../payouts/errors";
import { batchPayouts, listRuns, myPayouts, myStatement, payablePreview, runDetail } from "../../payouts/queries";
import { importResultFile } from "../../payouts/settle";
import { approveBatch, cancelBatch, cancelPayoutRun, createPayoutRun, markBatchExported, markBatchSent, payoutPool, settlePayouts } from "../../payouts/runs";
import { myPayoutSettings, payoutPolicy, payoutPolicyInput, savePayoutSettings, updatePayoutPolicy } from "../../payouts/settings";
import { affiliateProcedure, createTRPCRouter, managerProcedure } from "../trpc";

const runId = z.object({ runId: z.string().min(1) });
const batchId = z.object({ batchId: z.string().min(1) });

const ERROR_CODES = { not_found: "NOT_FOUND", wrong_status: "CONFLICT", nothing_to_pay: "PRECONDITION_FAILED", bad_file: "BAD_REQUEST", invalid: "BAD_REQUEST" } as const;

/** Domain refusals become tRPC errors with the domain's own message (file lines and the field in `cause`). */
async function asTrpc<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PayoutError) throw new TRPCError({ code: ERROR_CODES[error.code], message: error.message, cause: error });
    throw error;
  }
}

export const payoutsRouter = createTRPCRouter({
  /** What a run created now would pay per currency, and who it would carry over with the reason. */
  payable: managerProcedure.query(() => payablePreview()),
  runs: managerProcedure.query(() => listRuns()),
  run: managerProcedure.input(runId).query(({ input }) => asTrpc(() => runDetail(input.runId))),
  batchPayouts: managerProcedure
    .input(z.object({ batchId: z.string().min(1), after: z.string().regex(/^\d{1,19}$/).optional() }))
    .query(({ input }) => batchPayouts(input.batchId, input.after)),

  create: managerProcedure
    .input(z.object({ periodEnd: z.date().optional(), affiliateIds: z.array(z.string().min(1)).min(1).optional() }))
    .mutation(({ ctx, input }) => asTrpc(() => createPayoutRun(payoutPool(), { actorId: ctx.session.user.id, ...input }))),
  approveBatch: managerProcedure.input(batchId).mutation(({ ctx, input }) => asTrpc(() => approveBatch(payoutPool(), input.batchId, ctx.session.user.id))),
  markExported: managerProcedure.input(batchId).mutation(({ ctx, input }) => asTrpc(() => markBatchExported(payoutPool(), input.batchId, ctx.session.user.id))),
  markSent: managerProcedure.input(batchId).mutation(({ ctx, input }) => asTrpc(() => markBatchSent(payoutPool(), input.batchId, ctx.session.user.id))),
  /** Per payout: paid, or failed with a reason; `rest: "paid"` marks the batch's other sent payouts paid. */
  settle: managerProcedure
    .input(
      z.object({
        batchId: z.string().min(1),
        settlements: z.array(z.object({ payout: z.string().min(1), outcome: z.enum(["paid", "failed"]), reason: z.string().trim().max(300).optional() })).max(20_000),
        rest: z.literal("paid").optional(),
      }),
    )
    .mutation(({ ctx, input }) => asTrpc(() => settlePayouts(payoutPool(), input.batchId, input.settlements, ctx.session.user.id, { rest: input.rest, background: true }))),
  /** A provider's result file (CSV text): marks the listed payouts paid or failed; a bad line refuses the file. */
  importResult: managerProcedure
    .input(z.object({ batchId: z.string().min(1), csv: z.string().min(1, { error: "The file is empty." }).max(5 * 1024 * 1024) }))
    .mutation(({ ctx, input }) => asTrpc(() => importResultFile(payoutPool(), input.batchId, input.csv, ctx.session.user.id))),
  cancelBatch: managerProcedure.input(batchId).mutation(({ ctx, input }) => asTrpc(() => cancelBatch(payoutPool(), input.batchId, ctx.session.user.id))),
  cancel: managerProcedure.input(runId).mutation(({ ctx, input }) => asTrpc(() => cancelPayoutRun(payoutPool(), input.runId, ctx.session.user.id))),

  policy: managerProcedure.query(() => payoutPolicy()),
  updatePolicy: managerProcedure.input(payoutPolicyInput).mutation(({ ctx, input }) => updatePayoutPolicy(input, ctx.session.user.id)),

  /** The signed-in affiliate's payouts, newest first. */
  mine: affiliateProcedure.query(({ ctx }) => myPayouts(ctx.affiliateId)),
  statement: affiliateProcedure.input(z.object({ payoutId: z.string().min(1) })).query(({ ctx, input }) => asTrpc(() => myStatement(ctx.affiliateId, input.payoutId))),
  settings: affiliateProcedure.query(({ ctx }) => myPayoutSettings(ctx.affiliateId)),
  saveSettings: affiliateProcedure.input(payoutSettingsFormInput).mutation(({ ctx, input }) => asTrpc(() => savePayoutSettings(ctx.affiliateId, ctx.session.user.id, input))),
});
