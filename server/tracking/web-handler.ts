// /go for runtimes that speak Web Request/Response instead of node:http — Next's proxy.ts, used when the app runs
// under plain `next dev` / `next start` rather than our server (which answers /go itself, before Next). The same
// core (resolveRedirect, sink, metrics) runs; the cache and sink start on the first /go request of the process and
// stay on globalThis across dev reloads.
import { env } from "../env";
import { forwardedClient } from "../http/client-ip";
import { emitClick } from "./click-events";
import { NOT_FOUND_PAGE } from "./go-route";
import { type ClickTracking, startClickTracking } from "./index";
import { recordRedirect } from "./metrics";
import { resolveRedirect } from "./redirect";

const globalForGo = globalThis as unknown as { __goTracking?: Promise<ClickTracking> };

export async function handleGoRequest(request: Request): Promise<Response> {
  const started = process.hrtime.bigint();
  const tracking = await (globalForGo.__goTracking ??= startClickTracking({ registerShutdown: false }));
  const raw = request.url.slice(request.url.indexOf("/", request.url.indexOf("//") + 2));
  const q = raw.indexOf("?");
  const { headers } = request;
  // Next sets X-Forwarded-For to the socket address only when the request has none, so the right-most entry is
  // Next's own unless a proxy we trust (TRUST_PROXY) appended after it.
  const ip = forwardedClient(headers.get("x-forwarded-for"), Math.max(1, env().TRUST_PROXY));
  const result = resolveRedirect(
    q < 0 ? raw : raw.slice(0, q),
    q < 0 ? "" : raw.slice(q + 1),
    tracking.cache,
    { method: request.method, ip, userAgent: headers.get("user-agent"), referer: headers.get("referer") },
    tracking.deps,
  );
  if ("click" in result && tracking.sink.push(result.click)) emitClick(result.click);
  recordRedirect(result.outcome, started);
  if (result.status === 302) return new Response(null, { status: 302, headers: { location: result.location, "cache-control": "private, no-store" } });
  return new Response(request.method === "HEAD" ? null : NOT_FOUND_PAGE, {
    status: 404,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}
