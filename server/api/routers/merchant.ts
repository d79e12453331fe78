// The signed-in merchant's own offers. Scoped by ctx.merchantId; an offer id of another merchant is refused.
import { z } from "zod";
import { merchantOffer, merchantOffers } from "../../reporting/merchant";
import { createTRPCRouter, merchantProcedure, requireOwned } from "../trpc";

const offerInput = z.object({ id: z.string().min(1) });

export const merchantRouter = createTRPCRouter({
  offers: merchantProcedure.query(({ ctx }) => merchantOffers(ctx.merchantId)),
  offer: merchantProcedure
    .input(offerInput)
    .query(async ({ ctx, input }) => requireOwned(await merchantOffer(ctx.merchantId, input.id), "offer")),
});
