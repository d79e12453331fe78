// Offers for program managers (every merchant's); merchants manage their own under `merchant.*`. Thin: the rules
// live in server/offers.
import { TRPCError } from "@trpc/server";
import { OfferError, createOffer, listOffers, offerMerchantChoices, setOfferStatus, updateOffer } from "../../offers/offers";
import { listOffersInput, managerCreateOfferInput, offerStatusInput, updateOfferInput } from "../../offers/schema";
import { createTRPCRouter, managerProcedure } from "../trpc";

/** Offer domain errors become tRPC errors with the same code and message; anything else stays a 500. */
export async function offerErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof OfferError) throw new TRPCError({ code: error.code, message: error.message });
    throw error;
  }
}

const ALL = { all: true } as const;

export const offersRouter = createTRPCRouter({
  list: managerProcedure.input(listOffersInput).query(({ ctx, input }) => listOffers(ctx.db, ALL, input)),
  merchants: managerProcedure.query(({ ctx }) => offerMerchantChoices(ctx.db)),
  create: managerProcedure
    .input(managerCreateOfferInput)
    .mutation(({ ctx, input: { merchantId, ...terms } }) => offerErrors(() => createOffer(ctx.db, ctx.session.user.id, merchantId, terms))),
  update: managerProcedure
    .input(updateOfferInput)
    .mutation(({ ctx, input: { id, ...terms } }) => offerErrors(() => updateOffer(ctx.db, ctx.session.user.id, ALL, id, terms))),
  setStatus: managerProcedure
    .input(offerStatusInput)
    .mutation(({ ctx, input }) => offerErrors(() => setOfferStatus(ctx.db, ctx.session.user.id, ALL, input.id, input.action))),
});
