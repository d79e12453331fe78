// Payout runs for program managers: preview what is payable, create a run, approve it, mark it paid, or cancel it.
// The rules (netting, claw-backs, re-checks under lock) live in server/payouts.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import {
  PayoutRunError,
  approvePayoutRun,
  cancelPayoutRun,
  createPayoutRun,
  markPayoutRunPaid,
} from "../../payouts/runs";
import { totalsByCurrency } from "../../payouts/plan";
import { affiliateProcedure, createTRPCRouter, managerProcedure } from "../trpc";

const runId = z.object({ runId: z.string().min(1) });

const ERROR_CODES = { not_found: "NOT_FOUND", wrong_status: "CONFLICT", nothing_to_pay: "PRECONDITION_FAILED" } as const;

/** Domain refusals become tRPC errors with the domain's own message. */
async function asTrpc<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PayoutRunError) throw new TRPCError({ code: ERROR_CODES[error.code], message: error.message });
    throw error;
  }
}

export const payoutsRouter = createTRPCRouter({
  /** What a run created now would pay: approved, unreserved commissions per currency. */
  payable: managerProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db.commission.groupBy({
      by: ["currency"],
      where: { status: "APPROVED", payoutId: null },
      _sum: { amountMinor: true },
      _count: { _all: true },
    });
    return rows.map((r) => ({ currency: r.currency, amountMinor: r._sum.amountMinor ?? 0, commissions: r._count._all }));
  }),

  runs: managerProcedure.query(async ({ ctx }) => {
    const runs = await ctx.db.payoutRun.findMany({
      orderBy: { createdAt: "desc" },
      take: 50,
      include: { payouts: { select: { currency: true, amountMinor: true } } },
    });
    return runs.map(({ payouts, ...run }) => ({ ...run, payoutCount: payouts.length, totals: totalsByCurrency(payouts) }));
  }),

  run: managerProcedure.input(runId).query(async ({ ctx, input }) => {
    const run = await ctx.db.payoutRun.findUnique({
      where: { id: input.runId },
      include: {
        payouts: {
          orderBy: [{ currency: "asc" }, { amountMinor: "desc" }],
          include: { affiliate: { select: { name: true, email: true } }, _count: { select: { commissions: true } } },
        },
      },
    });
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: "This payout run does not exist." });
    return run;
  }),

  create: managerProcedure
    .input(z.object({ periodEnd: z.date().optional(), affiliateIds: z.array(z.string().min(1)).min(1).optional() }))
    .mutation(({ ctx, input }) => asTrpc(() => createPayoutRun(ctx.db, { actorId: ctx.session.user.id, ...input }))),

  approve: managerProcedure
    .input(runId)
    .mutation(({ ctx, input }) => asTrpc(() => approvePayoutRun(ctx.db, input.runId, ctx.session.user.id))),

  markPaid: managerProcedure
    .input(runId)
    .mutation(({ ctx, input }) => asTrpc(() => markPayoutRunPaid(ctx.db, input.runId, ctx.session.user.id))),

  /** The signed-in affiliate's payouts from approved and paid runs, newest first. */
  mine: affiliateProcedure.query(({ ctx }) =>
    ctx.db.payout.findMany({
      where: { affiliateId: ctx.affiliateId, run: { status: { in: ["APPROVED", "PAID"] } } },
      orderBy: { createdAt: "desc" },
      take: 24,
      select: { id: true, amountMinor: true, currency: true, method: true, createdAt: true, run: { select: { status: true, paidAt: true } } },
    }),
  ),

  cancel: managerProcedure
    .input(runId)
    .mutation(({ ctx, input }) => asTrpc(() => cancelPayoutRun(ctx.db, input.runId, ctx.session.user.id))),
});
