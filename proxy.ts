// Next 16's proxy (formerly middleware), Node.js runtime.
// Pages: a Content-Security-Policy with a fresh nonce per request (server/http/security-headers.ts). Next reads the
// nonce from the request's CSP header and puts it on its own inline scripts; every page is rendered per request
// (app/layout.tsx), so each gets its nonce. The common security headers are set here too, for `next start` alone
// (our own server sets them on everything it answers).
// /go/<slug> under plain `next dev` / `next start`: in `npm start` and `npm run dev` our own HTTP server answers
// every /go/… request before Next sees it (and a bare `/go` that reaches this proxy is answered with the server's
// own tracking). Under Next alone it is the redirect, with the same core and its own link cache and click sink
// started lazily in this process (see server/tracking/web-handler.ts). Next gives no shutdown hook: the clicks of
// the last flush interval (CLICK_FLUSH_MS, 20 ms) can be lost when such a process is stopped.
import { type NextRequest, NextResponse } from "next/server";
import { commonSecurityHeaders, isHttps, newNonce, pageCsp } from "./server/http/security-headers";
import { handleGoRequest } from "./server/tracking/web-handler";

export function proxy(request: NextRequest): Promise<Response> | Response {
  const { pathname } = request.nextUrl;
  if (pathname === "/go" || pathname.startsWith("/go/")) return handleGoRequest(request);
  const https = isHttps(process.env.NEXTAUTH_URL);
  const csp = pageCsp(newNonce(), { dev: process.env.NODE_ENV === "development", https });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", csp);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", csp);
  for (const [name, value] of Object.entries(commonSecurityHeaders({ https }))) response.headers.set(name, value);
  return response;
}

// Every page and /go; not Next's static files or the API routes (our server gives those a CSP that loads nothing).
export const config = { matcher: ["/go/:path*", "/((?!api/|_next/static|_next/image|favicon\\.ico).*)"] };
