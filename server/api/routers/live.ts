// The live stream and the operations page: subscriptions over SSE (answered by our own server,
// server/http/trpc-stream.ts) and the reads behind the pages' first paint. Scoped by role in server/live.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { getPool } from "../../db";
import { liveService } from "../../live";
import { affiliateToday, recentActivity } from "../../live/queries";
import { LiveAccessError, liveEvents, scopeOf } from "../../live/stream";
import { opsReports } from "../../operations/stream";
import { affiliateProcedure, createTRPCRouter, managerProcedure, protectedProcedure } from "../trpc";

const eventId = z.string().regex(/^\d{1,19}$/, "An event id is a number");
const cursor = z.object({ lastEventId: eventId.nullish() }).optional();

function started() {
  const live = liveService();
  if (!live) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "The live stream runs in our server process (npm start), not under plain next dev." });
  return live;
}

export const liveRouter = createTRPCRouter({
  /** Every event the caller may see: managers the program, affiliates their own, merchants their offers'. */
  events: protectedProcedure.input(cursor).subscription(({ ctx, input, signal }) => {
    let scope;
    try {
      scope = scopeOf(ctx.session.user);
    } catch (error) {
      if (error instanceof LiveAccessError) throw new TRPCError({ code: "FORBIDDEN", message: error.message });
      throw error;
    }
    return liveEvents(started().hub, scope, input?.lastEventId ?? null, signal);
  }),

  /** The operations report, about once a second. */
  operations: managerProcedure.subscription(({ signal }) => opsReports(started().monitor, signal)),

  /** The last 15 minutes (chart and feed) up to `upTo` (the page's stream's starting cursor), or the hub's cursor. */
  recent: managerProcedure.input(z.object({ upTo: eventId.nullish() }).optional()).query(({ input }) => recentActivity(getPool(), { upTo: input?.upTo })),

  /** The affiliate's clicks, conversions and commission since midnight UTC. */
  today: affiliateProcedure.query(({ ctx }) => affiliateToday(getPool(), ctx.affiliateId)),
});
