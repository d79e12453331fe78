// /go/<slug> on our own HTTP server: request facts in, resolveRedirect, response out, then the click is accepted
// (buffered for the database and announced to in-process listeners). Headers are written as a flat array (Node's
// cheapest form). Every method on /go/ is answered here — only GET and HEAD redirect — so no /go request ever
// reaches Next's proxy.ts while our server runs.
import type { IncomingMessage, ServerResponse } from "node:http";
import { clientIp } from "../http/client-ip";
import type { LinkCache } from "./link-cache";
import { recordRedirect } from "./metrics";
import { type ClickRecord, type RedirectDeps, type RedirectResult, resolveRedirect } from "./redirect";
import { splitTarget } from "./slug";

export const NOT_FOUND_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Link not found</title>
<meta name="robots" content="noindex"><style>body{font:16px system-ui,sans-serif;margin:15vh auto;max-width:32rem;padding:0 1rem;color:#0f172a}</style></head>
<body><h1>Link not found</h1><p>This link does not exist or is no longer active.</p></body></html>`;
const NOT_FOUND_LENGTH = String(Buffer.byteLength(NOT_FOUND_PAGE));

/** Status, headers (flat name/value list) and body of a /go answer, for either runtime (node:http or Web Response). */
export function goResponse(result: RedirectResult, method: string): { status: number; headers: string[]; body: string | null } {
  switch (result.status) {
    case 302:
      return { status: 302, headers: ["location", result.location, "cache-control", "private, no-store", "content-length", "0"], body: null };
    case 405:
      return { status: 405, headers: ["allow", "GET, HEAD", "cache-control", "no-store", "content-length", "0"], body: null };
    default:
      return {
        status: 404,
        headers: ["content-type", "text/html; charset=utf-8", "cache-control", "no-store", "content-length", NOT_FOUND_LENGTH],
        body: method === "HEAD" ? null : NOT_FOUND_PAGE,
      };
  }
}

export interface GoRouteOptions {
  cache: LinkCache;
  deps: RedirectDeps;
  trustedHops: number;
  /** Takes the click of a redirect: into the sink, then to the listeners. */
  accept: (click: ClickRecord) => void;
}

export function goHandler({ cache, deps, trustedHops, accept }: GoRouteOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
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
    const answer = goResponse(result, method);
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body ?? undefined);
    if ("click" in result) accept(result.click);
    recordRedirect(result.outcome, started);
  };
}
