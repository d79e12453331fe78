// Postbacks: the merchant's set-up (URL template, token rotation, a test postback) and the postback log, which
// merchants read for their own postbacks and managers for the whole program. Logic lives in server/conversions.
import { z } from "zod";
import { postbackLog } from "../../conversions/queries";
import { postbackSetup, rotatePostbackToken, sendTestPostback } from "../../conversions/setup";
import { env } from "../../env";
import { createTRPCRouter, managerProcedure, merchantProcedure } from "../trpc";

const logFilter = z.object({
  outcome: z.enum(["ACCEPTED", "DUPLICATE", "REJECTED"]).optional(),
  reasonCode: z.string().trim().max(64).optional(),
  txnId: z.string().trim().max(128).optional(),
  cursor: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(100).optional(),
});

/** The public address merchants' servers call (NEXTAUTH_URL, the instance's configured base URL). */
const baseUrl = () => env().NEXTAUTH_URL ?? `http://localhost:${env().PORT}`;

export const postbacksRouter = createTRPCRouter({
  setup: merchantProcedure.query(({ ctx }) => postbackSetup(ctx.db, ctx.merchantId, baseUrl())),

  rotateToken: merchantProcedure.mutation(({ ctx }) => rotatePostbackToken(ctx.db, ctx.merchantId, ctx.session.user.id)),

  sendTest: merchantProcedure
    .input(
      z.object({
        amount: z.string().trim().max(40).regex(/^\d+(\.\d+)?$/, "Use digits and a dot, e.g. 49.90").optional(),
        currency: z.string().trim().regex(/^[A-Za-z]{3}$/, "A 3-letter ISO 4217 code, e.g. EUR").optional(),
      }),
    )
    .mutation(({ ctx, input }) => sendTestPostback(ctx.db, ctx.merchantId, input)),

  log: merchantProcedure.input(logFilter).query(({ ctx, input }) => postbackLog(ctx.db, ctx.merchantId, input)),

  programLog: managerProcedure
    .input(logFilter.extend({ merchantId: z.string().max(100).optional() }))
    .query(({ ctx, input }) => postbackLog(ctx.db, null, input, { merchantFilter: input.merchantId })),
});
