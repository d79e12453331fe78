// Live streams (tRPC subscriptions over SSE) answered by our own server instead of Next: a GET to /api/trpc/… that
// asks for text/event-stream. Here the response goes straight to the socket — no compression or buffering layer,
// Nagle off, `x-accel-buffering: no` for proxies — tRPC sends a ping comment every 10 s (sse.ping in
// server/api/trpc.ts), and each user may hold at most LIVE_STREAMS_PER_USER streams at once (one more: 429 with
// Retry-After). A closed tab ends the request: tRPC aborts the subscription's signal, the generator's `finally`
// removes its hub listener, and the count here is released on the response's close.
// A path may be answered by a `direct` writer of its own instead of tRPC's per-subscriber producer (live.events:
// server/live/sse.ts, one frame per batch and view shared by every socket); it declines what it cannot answer
// exactly as tRPC would (refusals, odd input), and tRPC answers that.
import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import type { AnyRouter } from "@trpc/server";
import type { AppSession } from "../auth/types";
import { countLimited } from "../security/limits";
import { type Handler, type HotRoute, sendJson } from "./types";
import { errorLine } from "../log";

export const TRPC_PREFIX = "/api/trpc/";

/**
 * Answers a stream itself and returns true (it then owns the response), or returns false, before writing anything,
 * to leave the request to tRPC.
 */
export type DirectStream = (req: IncomingMessage, res: ServerResponse, url: URL, session: AppSession | null) => boolean;

export interface StreamRouteOptions {
  router: AnyRouter;
  session: (cookieHeader: string | undefined) => Promise<AppSession | null>;
  createContext: (session: AppSession | null, req: IncomingMessage) => unknown;
  perUser: number;
  /** Procedures (by path) answered by a writer of their own. */
  direct?: Record<string, DirectStream>;
}

export class StreamCounter {
  private readonly open = new Map<string, number>();
  total = 0;

  constructor(readonly perUser: number) {}

  /** Takes a slot for `user`, or false when they hold `perUser` streams already. */
  take(user: string): boolean {
    const n = this.open.get(user) ?? 0;
    if (n >= this.perUser) return false;
    this.open.set(user, n + 1);
    this.total++;
    return true;
  }

  release(user: string): void {
    const n = this.open.get(user) ?? 0;
    if (n <= 1) this.open.delete(user);
    else this.open.set(user, n - 1);
    this.total--;
  }

  get users(): number {
    return this.open.size;
  }
}

const shared = globalThis as unknown as { __liveStreams?: StreamCounter };

/** The process's stream counter (the operations page reports it). */
export const streamCounter = (perUser = 8) => (shared.__liveStreams ??= new StreamCounter(perUser));

export const wantsEventStream = (req: IncomingMessage) => req.method === "GET" && (req.headers.accept ?? "").includes("text/event-stream");

export function trpcStreamRoute({ router, session, createContext, perUser, direct = {} }: StreamRouteOptions): HotRoute {
  const counter = streamCounter(perUser);
  const handle: Handler = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    let caller: AppSession | null;
    try {
      caller = await session(req.headers.cookie);
    } catch {
      return sendJson(res, 503, { error: { code: "unavailable", message: "Sessions cannot be checked right now; the stream reconnects by itself." } }, { "retry-after": "2" });
    }
    const user = caller?.user.id;
    if (user) {
      if (!counter.take(user)) {
        countLimited("live_streams");
        return sendJson(res, 429, { error: { code: "too_many_streams", message: `At most ${counter.perUser} live streams per user: close another tab of this app.` } }, { "retry-after": "5" });
      }
      res.once("close", () => counter.release(user));
    }
    req.socket.setNoDelay(true);
    req.socket.setTimeout(0);
    res.setHeader("x-accel-buffering", "no");
    const path = url.pathname.slice(TRPC_PREFIX.length);
    if (Object.hasOwn(direct, path) && direct[path]!(req, res, url, caller)) return;
    await nodeHTTPRequestHandler({
      router,
      req,
      res,
      path,
      createContext: () => createContext(caller, req) as never,
      onError: ({ path, error }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") errorLine(`[trpc] ${path ?? "?"} stream failed: ${error.message}`);
      },
    });
  };
  return { prefix: TRPC_PREFIX, methods: ["GET"], when: wantsEventStream, handle };
}
