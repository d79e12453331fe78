// Program-wide views for managers, and the affiliates' accounts.
import { affiliateChoices, affiliateChoicesInput, affiliateListInput, listAffiliates, setAffiliateActive, setAffiliateActiveInput } from "../../affiliates/accounts";
import { programOverview } from "../../reporting/program";
import { createTRPCRouter, managerProcedure } from "../trpc";

export const managerRouter = createTRPCRouter({
  overview: managerProcedure.query(() => programOverview({ days: 30 })),
  affiliates: managerProcedure.input(affiliateListInput).query(({ ctx, input }) => listAffiliates(ctx.db, input)),
  affiliateChoices: managerProcedure.input(affiliateChoicesInput).query(({ ctx, input }) => affiliateChoices(ctx.db, input)),
  setAffiliateActive: managerProcedure.input(setAffiliateActiveInput).mutation(({ ctx, input }) => setAffiliateActive(ctx.db, input, ctx.session.user.id)),
});
