// /go/<slug> on our own HTTP server: request facts in, resolveRedirect, response out, then the click is handed to
// the sink and to in-process listeners. Headers are written as a flat array (Node's cheapest form).
import type { IncomingMessage, ServerResponse } from "node:http";
import { clientIp } from "../http/client-ip";
import { emitClick } from "./click-events";
import type { ClickSink } from "./click-sink";
import type { LinkCache } from "./link-cache";
import { recordRedirect } from "./metrics";
import { type RedirectDeps, resolveRedirect } from "./redirect";
import { splitTarget } from "./slug";

export const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link not found</title>
<meta name="robots" content="noindex"><style>body{font:16px system-ui,sans-serif;margin:15vh auto;max-width:32rem;padding:0 1rem;color:#0f172a}</style></head>
<body><h1>Link not found</h1><p>This link does not exist or is no longer active.</p></body></html>`;
const NOT_FOUND_LENGTH = String(Buffer.byteLength(NOT_FOUND_PAGE));

export interface GoRouteOptions {
  cache: LinkCache;
  sink: ClickSink;
  deps: RedirectDeps;
  trustedHops: number;
}

export function goHandler({ cache, sink, deps, trustedHops }: GoRouteOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = process.hrtime.bigint();
    const { pathname, query } = splitTarget(req.url ?? "/");
    const { headers } = req;
    const method = req.method ?? "GET";
    const result = resolveRedirect(
      pathname,
      query,
      cache,
      { method, ip: clientIp(req, trustedHops), userAgent: headers["user-agent"] ?? null, referer: headers.referer ?? null },
      deps,
    );
    if (result.status === 302) {
      res.writeHead(302, ["location", result.location, "cache-control", "private, no-store", "content-length", "0"]);
      res.end();
    } else {
      res.writeHead(404, ["content-type", "text/html; charset=utf-8", "cache-control", "no-store", "content-length", NOT_FOUND_LENGTH]);
      res.end(method === "HEAD" ? undefined : NOT_FOUND_PAGE);
    }
    if ("click" in result && sink.push(result.click)) emitClick(result.click);
    recordRedirect(result.outcome, started);
  };
}
