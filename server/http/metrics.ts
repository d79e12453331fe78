// GET /metrics: prom-client's default registry in the Prometheus text format. Every module registers its own
// metrics there (server/tracking/metrics.ts for the click path). With METRICS_TOKEN set, a scraper must send
// `Authorization: Bearer <token>` (compared in constant time). In production it is refused without one: scrape it
// with the token, or on the internal port (METRICS_PORT, server/main.ts), which serves it openly on METRICS_HOST.
import type { ServerResponse } from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";
import client from "prom-client";
import { env } from "../env";
import { type Handler, sendJson } from "./types";

/**
 * A metric of prom-client's default registry, created on first use. Modules that declare metrics may be
 * evaluated twice in one process (our server's copy and Next's bundle of proxy.ts) while the registry is one:
 * the second evaluation gets the first one's metric instead of a "already registered" error.
 */
export function registeredOnce<T>(name: string, create: (name: string) => T): T {
  return (client.register.getSingleMetric(name) as T | undefined) ?? create(name);
}

const digest = (text: string) => createHash("sha256").update(text).digest();

export const metrics: Handler = async (req, res) => {
  const { METRICS_TOKEN: token, NODE_ENV } = env();
  if (token) {
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!timingSafeEqual(digest(given), digest(token))) {
      return sendJson(res, 401, { error: { code: "unauthorized", message: "GET /metrics needs Authorization: Bearer <METRICS_TOKEN>." } }, { "www-authenticate": "Bearer" });
    }
  } else if (NODE_ENV === "production") {
    return sendJson(res, 403, { error: { code: "forbidden", message: "GET /metrics needs METRICS_TOKEN in production (or scrape the internal METRICS_PORT)." } });
  }
  return internalMetrics(req, res);
};

/** The internal port's /metrics: no check (it listens on METRICS_HOST, a private interface). */
export const internalMetrics = async (_req: unknown, res: ServerResponse) => {
  const body = await client.register.metrics();
  res.writeHead(200, { "content-type": client.register.contentType, "cache-control": "no-store" });
  res.end(body);
};
