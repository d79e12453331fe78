// The live events stream written by our own server (server/http/trpc-stream.ts hands it `live.events`), instead of
// tRPC's per-subscriber producer: each hub batch becomes ONE SSE frame per view (hub.ts), and that same string is
// written to the socket of every subscriber sharing the view — 100 subscribers cost 100 socket writes, not 100
// async-generator chains, superjson passes and web streams. Wire-compatible with tRPC's httpSubscriptionLink:
//   - `event: connected` first, carrying the client options of the router's `sse.client` config;
//   - each batch `data: <superjson of the batch JSON string>` with `id: <last id>` (what tracked() sends), so the
//     browser's EventSource (Last-Event-ID) and the link (input.lastEventId) resume from it;
//   - `event: ping` every `sse.ping.intervalMs`;
//   - anything this path does not answer itself (no session, a role without events, an input it cannot read, the
//     hub not running) goes to tRPC's handler, so refusals and input errors are tRPC's own.
// A subscriber too slow to take its frames (more than MAX_BUFFERED bytes waiting) is cut off: it reconnects and
// resumes from its cursor.
import type { IncomingMessage, ServerResponse } from "node:http";
import superjson from "superjson";
import type { AppSession } from "../auth/types";
import type { DirectStream } from "../http/trpc-stream";
import { sendJson } from "../http/types";
import type { LiveScope } from "./events";
import type { LiveHub } from "./hub";
import { LiveAccessError, scopeOf } from "./stream";

const EVENT_ID = /^\d{1,19}$/;
const MAX_BUFFERED = 4 * 1024 * 1024;

/** A tracked value as tRPC frames it: its data through the transformer, then the id. */
export const trackedFrame = (id: string, value: string) => `data: ${JSON.stringify(superjson.serialize(value))}\nid: ${id}\n\n`;
export const connectedFrame = (clientOptions: object) => `event: connected\ndata: ${JSON.stringify(clientOptions)}\n\n`;
export const PING_FRAME = "event: ping\ndata: \n\n";

export const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  connection: "keep-alive",
} as const;

/**
 * The cursor a request resumes from, as tRPC reads it (the Last-Event-ID header, then the query's lastEventId,
 * then the input's): null for a fresh stream, undefined when the request cannot be read here (tRPC answers it).
 */
export function requestedCursor(req: IncomingMessage, url: URL): string | null | undefined {
  let input: unknown;
  const raw = url.searchParams.get("input");
  if (raw !== null) {
    try {
      input = superjson.deserialize(JSON.parse(raw));
    } catch {
      return undefined;
    }
  }
  if (input !== undefined && input !== null && (typeof input !== "object" || Array.isArray(input))) return undefined;
  const fromInput = (input as { lastEventId?: unknown } | null | undefined)?.lastEventId;
  const header = req.headers["last-event-id"];
  const id = (typeof header === "string" && header) || url.searchParams.get("lastEventId") || url.searchParams.get("Last-Event-Id") || fromInput;
  if (id === undefined || id === null) return null;
  return typeof id === "string" && EVENT_ID.test(id) ? id : undefined;
}

export interface LiveSseOptions {
  hub: () => LiveHub | undefined;
  /** The router's `sse` config (client options for the connected event, the ping interval). */
  sse: { ping?: { enabled: boolean; intervalMs?: number }; client?: object } | undefined;
}

export function liveEventsSse({ hub: currentHub, sse }: LiveSseOptions): DirectStream {
  const connected = connectedFrame(sse?.client ?? {});
  const pingMs = sse?.ping?.enabled ? (sse.ping.intervalMs ?? 1_000) : 0;
  return (req: IncomingMessage, res: ServerResponse, url: URL, session: AppSession | null) => {
    const hub = currentHub();
    if (!hub || !session) return false;
    let scope: LiveScope;
    try {
      scope = scopeOf(session.user);
    } catch (error) {
      if (error instanceof LiveAccessError) return false;
      throw error;
    }
    const cursor = requestedCursor(req, url);
    if (cursor === undefined) return false;
    void serve(hub, scope, cursor, res, connected, pingMs);
    return true;
  };
}

async function serve(hub: LiveHub, scope: LiveScope, requested: string | null, res: ServerResponse, connected: string, pingMs: number) {
  // Subscribed before the resume is read, so nothing released meanwhile is lost; held until the resume is written.
  let held: { lastId: string; frame: string }[] | null = [];
  let cursor = 0n;
  let ping: NodeJS.Timeout | undefined;
  const write = (frame: string) => {
    if (res.writableLength > MAX_BUFFERED) return void res.destroy();
    res.write(frame);
  };
  const unsubscribe = hub.subscribe(scope, (batch) => {
    if (held) return void held.push(batch);
    const id = BigInt(batch.lastId);
    if (id <= cursor) return;
    cursor = id;
    write(batch.frame);
  });
  res.once("close", () => {
    unsubscribe();
    clearInterval(ping);
  });
  let first: string;
  try {
    if (requested === null) {
      cursor = BigInt(hub.lastId);
      first = trackedFrame(cursor.toString(), "[]"); // the starting cursor, so even a quiet stream resumes exactly
    } else {
      const missed = await hub.since(scope, requested);
      cursor = BigInt(missed.lastId);
      first = trackedFrame(missed.lastId, JSON.stringify(missed.events));
    }
  } catch {
    unsubscribe();
    if (!res.headersSent && !res.destroyed) sendJson(res, 503, { error: { code: "unavailable", message: "The live stream cannot be read right now; it reconnects by itself." } }, { "retry-after": "2" });
    return;
  }
  if (res.destroyed) return;
  res.writeHead(200, SSE_HEADERS);
  res.write(connected + first);
  const waiting = held;
  held = null;
  for (const batch of waiting) {
    const id = BigInt(batch.lastId);
    if (id <= cursor) continue;
    cursor = id;
    write(batch.frame);
  }
  if (pingMs > 0) {
    ping = setInterval(() => write(PING_FRAME), pingMs);
    ping.unref();
  }
}
