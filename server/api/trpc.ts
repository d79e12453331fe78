// tRPC setup (create-t3-app layout): the context, the transformer, and one procedure builder per audience.
//
// Role checks are middlewares placed BEFORE any `.input()`: tRPC runs middlewares and input parsers in the order
// they were added, so a caller of the wrong role gets FORBIDDEN without their input ever being parsed.
// Owner scoping: role procedures put the caller's own ids on ctx (ctx.affiliateId / ctx.merchantId, also on
// ctx.session.user, typed non-null); handlers filter by those and never take an owner id from the input.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import type { AppSession, SessionUser } from "../auth/types";
import { type Db, db } from "../db";
import { DomainError, TRPC_CODE } from "../errors";

export interface TRPCContext {
  db: Db;
  session: AppSession | null;
  /** Request headers when called over HTTP (absent for server-side callers and tests). */
  headers?: Headers;
  /** Our server's request id (X-Request-Id): on every log line of the call (server/log.ts). */
  requestId?: string;
}

/** The context without the HTTP layer: server components, tests (`callerFor`) and the route handler all use it. */
export function createInnerContext(session: AppSession | null, headers?: Headers): TRPCContext {
  return { db, session, headers, requestId: headers?.get("x-request-id") ?? undefined };
}

/** Context of an HTTP call: the next-auth session read from the request cookies. */
export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  // Imported here, not at the top: the session module needs Next's request scope, tests never get here.
  const { getSession } = await import("../auth/session");
  return createInnerContext(await getSession(), opts.headers);
}

const INTERNAL_ERROR_MESSAGE = "Something went wrong on our side. Try again; if it keeps happening, tell us what you did.";

const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  // Live streams (subscriptions over SSE): a ping comment every 10 s keeps proxies and the browser from closing an
  // idle stream, and a client that hears nothing for 25 s reconnects (resuming from its last event id).
  sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 25_000 } },
  errorFormatter: ({ shape, error }) => ({
    ...shape,
    // An unexpected failure's own message (a database error, a bug) is for our logs, not for the browser.
    message: error.code === "INTERNAL_SERVER_ERROR" && process.env.NODE_ENV === "production" ? INTERNAL_ERROR_MESSAGE : shape.message,
    data: {
      ...shape.data,
      // Field-level messages for forms (BAD_REQUEST from a zod input).
      zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
    },
  }),
});

export const createCallerFactory = t.createCallerFactory;
export const createTRPCRouter = t.router;

/** Domain errors (server/errors.ts) thrown by domain code become their tRPC code with their message: the one mapping. */
const domainProcedure = t.procedure.use(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    const { cause } = result.error;
    throw new TRPCError({ code: TRPC_CODE[cause.code], message: cause.message, cause });
  }
  return result;
});

export const publicProcedure = domainProcedure;

/** Any signed-in user. */
export const protectedProcedure = domainProcedure.use(({ ctx, next }) => {
  if (!ctx.session?.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  return next({ ctx: { session: ctx.session } });
});

type With<K extends keyof SessionUser, V> = Omit<SessionUser, K> & { [P in K]: V };

export const affiliateProcedure = protectedProcedure.use(({ ctx, next }) => {
  const { user } = ctx.session;
  if (user.role !== "AFFILIATE" || !user.affiliateId) throw forbidden("affiliates");
  const scoped: With<"affiliateId", string> = { ...user, affiliateId: user.affiliateId };
  return next({ ctx: { session: { ...ctx.session, user: scoped }, affiliateId: user.affiliateId } });
});

export const merchantProcedure = protectedProcedure.use(({ ctx, next }) => {
  const { user } = ctx.session;
  if (user.role !== "MERCHANT" || !user.merchantId) throw forbidden("merchants");
  const scoped: With<"merchantId", string> = { ...user, merchantId: user.merchantId };
  return next({ ctx: { session: { ...ctx.session, user: scoped }, merchantId: user.merchantId } });
});

/** Program managers see the whole program (every affiliate and merchant). */
export const managerProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.session.user.role !== "MANAGER") throw forbidden("program managers");
  return next({ ctx: { session: ctx.session } });
});

function forbidden(audience: string) {
  return new TRPCError({ code: "FORBIDDEN", message: `Only ${audience} can do this.` });
}

/** Owner-scoped lookups (server/errors.ts): routers keep importing it from here. */
export { requireOwned } from "../errors";
