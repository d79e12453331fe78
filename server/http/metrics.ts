// GET /metrics: prom-client's default registry in the Prometheus text format. Every module registers its own
// metrics there (server/tracking/metrics.ts for the click path).
import client from "prom-client";
import type { Handler } from "./types";

export const metrics: Handler = async (_req, res) => {
  const body = await client.register.metrics();
  res.writeHead(200, { "content-type": client.register.contentType, "cache-control": "no-store" });
  res.end(body);
};
