// The live streams' route on our own server: tRPC subscriptions over SSE with the session read from the cookie;
// live.events written by our own SSE writer (sse.ts), the others by tRPC.
import { appRouter } from "../api/root";
import { createInnerContext } from "../api/trpc";
import { sessionOfCookies } from "../auth/stream-session";
import { env } from "../env";
import { trpcStreamRoute } from "../http/trpc-stream";
import type { HotRoute } from "../http/types";
import { liveService } from ".";
import { liveEventsSse } from "./sse";

export function liveStreamRoute(perUser = env().LIVE_STREAMS_PER_USER): HotRoute {
  return trpcStreamRoute({
    router: appRouter,
    session: (cookie) => sessionOfCookies(cookie),
    createContext: (session) => createInnerContext(session),
    perUser,
    direct: { "live.events": liveEventsSse({ hub: () => liveService()?.hub, sse: appRouter._def._config.sse }) },
  });
}
