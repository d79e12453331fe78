// Program-wide views for managers.
import { programOverview } from "../../reporting/program";
import { createTRPCRouter, managerProcedure } from "../trpc";

export const managerRouter = createTRPCRouter({
  overview: managerProcedure.query(() => programOverview({ days: 30 })),
});
