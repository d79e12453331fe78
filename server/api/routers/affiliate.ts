// The signed-in affiliate's own numbers (their links are links.mine). Every query is scoped by ctx.affiliateId.
import { affiliateEarnings } from "../../reporting/affiliate";
import { affiliateProcedure, createTRPCRouter } from "../trpc";

export const affiliateRouter = createTRPCRouter({
  earnings: affiliateProcedure.query(({ ctx }) => affiliateEarnings(ctx.affiliateId)),
});
