import type { IncomingMessage, ServerResponse } from "node:http";

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

/** A synchronous handler that reads `req.url` itself: no URL object and no promise per request (/go). */
export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A route our own server answers before Next sees the request (the hot paths). `prefix` matches the start of the
 * path; `methods` limits it (all methods when absent).
 */
export type HotRoute = {
  prefix: string;
  methods?: readonly string[];
  /** A further condition on the request (e.g. it asks for an event stream); others fall through to Next. */
  when?: (req: IncomingMessage) => boolean;
} & ({ handle: Handler } | { handleRaw: RawHandler });

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
    ...headers,
  });
  res.end(text);
}
