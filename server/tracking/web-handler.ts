// /go for runtimes that speak Web Request/Response instead of node:http — Next's proxy.ts. Under plain `next dev` /
// `next start` this is the only /go: the cache and sink start on the first /go request of the process and stay on
// globalThis across dev reloads. Under our server, /go/… never reaches Next, and anything else the proxy's matcher
// takes (a bare `/go`) is answered with our server's tracking, not a second copy.
import { env } from "../env";
import { forwardedClient } from "../http/client-ip";
import { goResponse } from "./go-route";
import { processClickTracking } from "./index";
import { recordRedirect } from "./metrics";
import { resolveRedirect } from "./redirect";

export async function handleGoRequest(request: Request): Promise<Response> {
  const started = performance.now();
  const tracking = await processClickTracking();
  const raw = request.url.slice(request.url.indexOf("/", request.url.indexOf("//") + 2));
  const q = raw.indexOf("?");
  const { headers, method } = request;
  // Next sets X-Forwarded-For to the socket address only when the request has none, so the right-most entry is
  // Next's own unless a proxy we trust (TRUST_PROXY) appended after it. Without a proxy in front that overwrites
  // the header, a client can choose its own address here: run plain `next start` only behind one.
  const ip = forwardedClient(headers.get("x-forwarded-for"), Math.max(1, env().TRUST_PROXY));
  const result = resolveRedirect(
    q < 0 ? raw : raw.slice(0, q),
    q < 0 ? "" : raw.slice(q + 1),
    tracking.cache,
    { method, ip, userAgent: headers.get("user-agent"), referer: headers.get("referer") },
    tracking.deps,
  );
  if ("click" in result) tracking.accept(result.click);
  recordRedirect(result.outcome, started);
  const answer = goResponse(result, method);
  const responseHeaders = new Headers();
  for (let i = 0; i < answer.headers.length; i += 2) {
    if (answer.headers[i] !== "content-length") responseHeaders.set(answer.headers[i]!, answer.headers[i + 1]!);
  }
  return new Response(answer.body, { status: answer.status, headers: responseHeaders });
}
