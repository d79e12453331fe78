// Rates for program managers: exchange rates (list, add) and what offers pay beyond their own rate (volume tiers,
// per-affiliate overrides). Validation and audit live in server/rates.
import { addFxRate, fxRateInput, listFxRates } from "../../rates/fx";
import { listOfferRates, overrideInput, overrideKey, removeOverride, setOverride, setTiers, tiersInput } from "../../rates/offer-rates";
import { createTRPCRouter, managerProcedure } from "../trpc";

export const ratesRouter = createTRPCRouter({
  fx: managerProcedure.query(({ ctx }) => listFxRates(ctx.db)),

  addFx: managerProcedure.input(fxRateInput).mutation(({ ctx, input }) => addFxRate(ctx.db, input, ctx.session.user.id)),

  offers: managerProcedure.query(({ ctx }) => listOfferRates(ctx.db)),

  setTiers: managerProcedure.input(tiersInput).mutation(({ ctx, input }) => setTiers(ctx.db, input, ctx.session.user.id)),

  setOverride: managerProcedure.input(overrideInput).mutation(({ ctx, input }) => setOverride(ctx.db, input, ctx.session.user.id)),

  removeOverride: managerProcedure.input(overrideKey).mutation(({ ctx, input }) => removeOverride(ctx.db, input, ctx.session.user.id)),
});
