// The app's API: one line per router (each in server/api/routers/). Add yours below, keep one per line.
import { accountsRouter } from "./routers/accounts";
import { affiliateRouter } from "./routers/affiliate";
import { conversionsRouter } from "./routers/conversions";
import { fraudRouter } from "./routers/fraud";
import { linkRequestsRouter } from "./routers/link-requests";
import { linksRouter } from "./routers/links";
import { liveRouter } from "./routers/live";
import { managerRouter } from "./routers/manager";
import { merchantRouter } from "./routers/merchant";
import { offersRouter } from "./routers/offers";
import { payoutsRouter } from "./routers/payouts";
import { postbacksRouter } from "./routers/postbacks";
import { programRouter } from "./routers/program";
import { ratesRouter } from "./routers/rates";
import { webhooksRouter } from "./routers/webhooks";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  accounts: accountsRouter,
  affiliate: affiliateRouter,
  conversions: conversionsRouter,
  fraud: fraudRouter,
  linkRequests: linkRequestsRouter,
  links: linksRouter,
  live: liveRouter,
  manager: managerRouter,
  merchant: merchantRouter,
  offers: offersRouter,
  payouts: payoutsRouter,
  postbacks: postbacksRouter,
  program: programRouter,
  rates: ratesRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side calls without HTTP: `createCaller(createInnerContext(session)).affiliate.summary()`. */
export const createCaller = createCallerFactory(appRouter);
