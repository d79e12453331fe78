// The live streams' route on our own server: tRPC subscriptions over SSE with the session read from the cookie.
import { appRouter } from "../api/root";
import { createInnerContext } from "../api/trpc";
import { sessionOfCookies } from "../auth/stream-session";
import { env } from "../env";
import { trpcStreamRoute } from "../http/trpc-stream";
import type { HotRoute } from "../http/types";

export function liveStreamRoute(perUser = env().LIVE_STREAMS_PER_USER): HotRoute {
  return trpcStreamRoute({
    router: appRouter,
    session: (cookie) => sessionOfCookies(cookie),
    createContext: (session) => createInnerContext(session),
    perUser,
  });
}
