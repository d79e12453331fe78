// The signed-in merchant's own offers. Scoped by ctx.merchantId; an offer id of another merchant is refused.
import { z } from "zod";
import { createOffer, listOffers, setOfferStatus, updateOffer } from "../../offers/offers";
import { createOfferInput, offerStatusInput, updateOfferInput } from "../../offers/schema";
import { merchantOffer, merchantOffers } from "../../reporting/merchant";
import { createTRPCRouter, merchantProcedure, requireOwned } from "../trpc";
import { offerErrors } from "./offers";

const offerInput = z.object({ id: z.string().min(1) });

export const merchantRouter = createTRPCRouter({
  offers: merchantProcedure.query(({ ctx }) => merchantOffers(ctx.merchantId)),
  offer: merchantProcedure
    .input(offerInput)
    .query(async ({ ctx, input }) => requireOwned(await merchantOffer(ctx.merchantId, input.id), "offer")),
  /** The offers with everything the edit form needs (archived ones too). */
  manageableOffers: merchantProcedure.query(({ ctx }) => listOffers(ctx.db, { merchantId: ctx.merchantId }, { includeArchived: true })),
  createOffer: merchantProcedure
    .input(createOfferInput)
    .mutation(({ ctx, input }) => offerErrors(() => createOffer(ctx.db, ctx.session.user.id, ctx.merchantId, input))),
  updateOffer: merchantProcedure
    .input(updateOfferInput)
    .mutation(({ ctx, input: { id, ...terms } }) => offerErrors(() => updateOffer(ctx.db, ctx.session.user.id, { merchantId: ctx.merchantId }, id, terms))),
  setOfferStatus: merchantProcedure
    .input(offerStatusInput)
    .mutation(({ ctx, input }) => offerErrors(() => setOfferStatus(ctx.db, ctx.session.user.id, { merchantId: ctx.merchantId }, input.id, input.action))),
});
