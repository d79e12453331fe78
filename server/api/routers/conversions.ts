// Conversions and commissions: managers filter and approve across the program; affiliates read their own.
// Logic lives in server/conversions (queries.ts, approval.ts).
import { z } from "zod";
import { approveCommissions } from "../../conversions/approval";
import { MAX_REPORT_DAYS, creditReport } from "../../reporting/credit-report";
import { affiliateConversions, conversionFilterOptions, listCommissions, listConversions } from "../../conversions/queries";
import { affiliateProcedure, createTRPCRouter, managerProcedure } from "../trpc";

const id = z.string().min(1).max(100);
const commissionStatus = z.enum(["PENDING", "HELD", "APPROVED", "PAID", "REVERSED"]);
const page = { cursor: id.optional(), limit: z.number().int().min(1).max(100).optional() };
const range = z
  .object({ affiliateId: id.optional(), merchantId: id.optional(), from: z.date().optional(), to: z.date().optional(), ...page })
  .refine((r) => !r.from || !r.to || r.from < r.to, { message: "The start date must be before the end date", path: ["to"] });

export const conversionsRouter = createTRPCRouter({
  filters: managerProcedure.query(({ ctx }) => conversionFilterOptions(ctx.db)),

  list: managerProcedure
    .input(range.and(z.object({ status: z.enum(["PENDING", "APPROVED", "REFUNDED"]).optional(), commissionStatus: commissionStatus.optional() })))
    .query(({ ctx, input }) => listConversions(ctx.db, input)),

  commissions: managerProcedure
    .input(range.and(z.object({ status: commissionStatus.optional() })))
    .query(({ ctx, input }) => listCommissions(ctx.db, input)),

  /** Each affiliate's credit under last click (paid), first click, linear and position-based, for a period. */
  credit: managerProcedure
    .input(
      z.object({
        days: z.number().int().min(1).max(MAX_REPORT_DAYS, `At most ${MAX_REPORT_DAYS} days`).default(30),
        to: z.date().optional(),
        measure: z.enum(["commission", "revenue"]).default("commission"),
        currency: z.string().regex(/^[A-Z]{3}$/, "A 3-letter ISO 4217 code, e.g. EUR").optional(),
      }),
    )
    .query(({ ctx, input }) => creditReport(ctx.db, input)),

  approve: managerProcedure
    .input(z.object({ commissionIds: z.array(id).min(1, "Select at least one commission").max(500, "At most 500 commissions at once") }))
    .mutation(({ ctx, input }) => approveCommissions(ctx.db, input.commissionIds, ctx.session.user.id)),

  mine: affiliateProcedure
    .input(z.object({ status: commissionStatus.optional(), ...page }))
    .query(({ ctx, input }) => affiliateConversions(ctx.db, ctx.affiliateId, input)),
});
