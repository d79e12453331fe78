// Program-wide views for managers, the affiliates' accounts, and every user's sessions.
import { affiliateChoices, affiliateChoicesInput, affiliateListInput, listAffiliates, setAffiliateActive, setAffiliateActiveInput } from "../../affiliates/accounts";
import { endUserSessions, endUserSessionsInput, listUserSessions } from "../../auth/sessions";
import { programOverview } from "../../reporting/program";
import { createTRPCRouter, managerProcedure } from "../trpc";

export const managerRouter = createTRPCRouter({
  overview: managerProcedure.query(() => programOverview({ days: 30 })),
  affiliates: managerProcedure.input(affiliateListInput).query(({ ctx, input }) => listAffiliates(ctx.db, input)),
  affiliateChoices: managerProcedure.input(affiliateChoicesInput).query(({ ctx, input }) => affiliateChoices(ctx.db, input)),
  setAffiliateActive: managerProcedure.input(setAffiliateActiveInput).mutation(({ ctx, input }) => setAffiliateActive(ctx.db, input, ctx.session.user.id)),
  userSessions: managerProcedure.query(({ ctx }) => listUserSessions(ctx.db)),
  endUserSessions: managerProcedure.input(endUserSessionsInput).mutation(({ ctx, input }) => endUserSessions(ctx.db, ctx.session.user.id, input)),
});
