// Our own Node HTTP server. Hot routes (/go, postbacks, metrics, health) are answered here without touching Next;
// every other request goes to Next's request handler when one is given (none in tests of the hot paths), carrying
// the client's IP in CLIENT_IP_HEADER (client-ip.ts).
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { env } from "../env";
import { CLIENT_IP_HEADER, clientIp, markClientIpHeaderSet } from "./client-ip";
import { health } from "./health";
import { API_CSP, commonSecurityHeaders, isHttps } from "./security-headers";
import type { HotRoute } from "./types";

export interface AppServerOptions {
  routes?: HotRoute[];
  /** Next's request handler; without it, unknown paths get a 404. */
  next?: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

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
            return fail(res, error);
          }
        }
        const url = new URL(path, "http://internal");
        return void Promise.resolve(route.handle(req, res, url)).catch((error) => fail(res, error));
      }
    }
    if (next) {
      if (!path.startsWith("/api/")) res.removeHeader("content-security-policy"); // a page's comes from proxy.ts
      const ip = clientIp(req, trustedHops); // replaces the client's own header, if it sent one
      if (ip) req.headers[CLIENT_IP_HEADER] = ip;
      else delete req.headers[CLIENT_IP_HEADER];
      return void next(req, res).catch((error) => fail(res, error));
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

function fail(res: ServerResponse, error: unknown) {
  console.error("[http] unhandled error:", (error as Error)?.message ?? error);
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
