// Link requests: an affiliate asks for a link to an offer, a manager approves (the link is created) or rejects.
// Thin: the rules live in server/accounts/link-requests.ts.
import { approveLinkRequest, listLinkRequests, myLinkRequests, offersToRequest, rejectLinkRequest, requestLink } from "../../accounts/link-requests";
import { approveLinkRequestInput, linkRequestListInput, rejectLinkRequestInput, requestLinkInput } from "../../accounts/schema";
import { affiliateProcedure, createTRPCRouter, managerProcedure } from "../trpc";
import { mapped } from "./accounts";

export const linkRequestsRouter = createTRPCRouter({
  offers: affiliateProcedure.query(({ ctx }) => offersToRequest(ctx.db, ctx.affiliateId)),
  mine: affiliateProcedure.query(({ ctx }) => myLinkRequests(ctx.db, ctx.affiliateId)),
  create: affiliateProcedure.input(requestLinkInput).mutation(({ ctx, input }) => mapped(() => requestLink(ctx.db, ctx.affiliateId, input))),
  list: managerProcedure.input(linkRequestListInput).query(({ ctx, input }) => listLinkRequests(ctx.db, input)),
  approve: managerProcedure.input(approveLinkRequestInput).mutation(({ ctx, input }) => mapped(() => approveLinkRequest(ctx.db, input.requestId, ctx.session.user.id))),
  reject: managerProcedure.input(rejectLinkRequestInput).mutation(({ ctx, input }) => mapped(() => rejectLinkRequest(ctx.db, input, ctx.session.user.id))),
});
