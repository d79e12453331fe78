// Our own Node HTTP server. Hot routes (/go, postbacks, metrics, health) are answered here without touching Next;
// every other request goes to Next's request handler when one is given (none in tests of the hot paths), carrying
// the client's IP in CLIENT_IP_HEADER (client-ip.ts).
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { env } from "../env";
import { logger, requestIdFrom, withRequestId } from "../log";
import { CLIENT_IP_HEADER, clientIp, markClientIpHeaderSet } from "./client-ip";
import { health } from "./health";
import { API_CSP, commonSecurityHeaders, isHttps } from "./security-headers";
import type { HotRoute } from "./types";

export interface AppServerOptions {
  routes?: HotRoute[];
  /** Next's request handler; without it, unknown paths get a 404. */
  next?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

const log = logger("http");

export const baseRoutes: HotRoute[] = [{ prefix: "/api/health", methods: ["GET", "HEAD"], handle: health }];

export function createAppServer({ routes = [], next }: AppServerOptions = {}) {
  const table = [...baseRoutes, ...routes];
  const trustedHops = next ? env().TRUST_PROXY : 0;
  if (next) markClientIpHeaderSet(); // Next's code in this process may now believe CLIENT_IP_HEADER
  // Every response carries the common security headers; ours and Next's API routes also a CSP that loads nothing
  // (pages get theirs, with a nonce, from proxy.ts).
  const common = Object.entries(commonSecurityHeaders({ https: isHttps(process.env.NEXTAUTH_URL) }));
  const server = http.createServer((req, res) => {
    const path = req.url ?? "/";
    for (const [name, value] of common) res.setHeader(name, value);
    res.setHeader("content-security-policy", API_CSP);
    for (const route of table) {
      if (path.startsWith(route.prefix) && (!route.methods || route.methods.includes(req.method ?? "GET")) && (!route.when || route.when(req))) {
        if ("handleRaw" in route) {
          try {
            return route.handleRaw(req, res);
          } catch (error) {
            return fail(req, res, error);
          }
        }
        const url = new URL(path, "http://internal");
        return withRequestIdOf(req, res, () => void Promise.resolve(route.handle(req, res, url)).catch((error) => fail(req, res, error)));
      }
    }
    if (next) {
      if (!path.startsWith("/api/")) res.removeHeader("content-security-policy"); // a page's comes from proxy.ts
      const ip = clientIp(req, trustedHops); // replaces the client's own header, if it sent one
      if (ip) req.headers[CLIENT_IP_HEADER] = ip;
      else delete req.headers[CLIENT_IP_HEADER];
      return withRequestIdOf(req, res, () => void next(req, res).catch((error) => fail(req, res, error)));
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

/**
 * Runs a request's handling with its request id on every log line (the client's X-Request-Id when it looks like
 * one, else a new one), answered in X-Request-Id and handed to Next in the same header. The raw hot routes (/go)
 * skip this: they log nothing per request.
 */
function withRequestIdOf(req: IncomingMessage, res: ServerResponse, handle: () => void) {
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  req.headers["x-request-id"] = requestId;
  res.setHeader("x-request-id", requestId);
  withRequestId(requestId, handle);
}

function fail(req: IncomingMessage, res: ServerResponse, error: unknown) {
  log.error({ method: req.method, url: req.url, err: (error as Error)?.message ?? String(error) }, "unhandled error");
  if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { code: "internal_error", message: "Something went wrong on our side." } }));
}

/** Stops accepting, lets in-flight requests finish (closing idle keep-alive sockets), then resolves. */
export function closeServer(server: http.Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
