// The signed-in affiliate's own numbers. Every query is scoped by ctx.affiliateId (from the session).
import { affiliateEarnings, affiliateLinks } from "../../reporting/affiliate";
import { affiliateProcedure, createTRPCRouter } from "../trpc";

export const affiliateRouter = createTRPCRouter({
  earnings: affiliateProcedure.query(({ ctx }) => affiliateEarnings(ctx.affiliateId)),
  links: affiliateProcedure.query(({ ctx }) => affiliateLinks(ctx.affiliateId)),
});
