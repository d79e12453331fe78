// Next 16's proxy (formerly middleware), Node.js runtime: /go/<slug> under plain `next dev` / `next start`.
// In `npm start` and `npm run dev` our own HTTP server answers every /go/… request before Next sees it (and a bare
// `/go` that reaches this proxy is answered with the server's own tracking). Under Next alone it is the redirect,
// with the same core and its own link cache and click sink started lazily in this process (see
// server/tracking/web-handler.ts). Next gives no shutdown hook: the clicks of the last flush interval
// (CLICK_FLUSH_MS, 20 ms) can be lost when such a process is stopped.
import type { NextRequest } from "next/server";
import { handleGoRequest } from "./server/tracking/web-handler";

export function proxy(request: NextRequest): Promise<Response> {
  return handleGoRequest(request);
}

export const config = { matcher: ["/go/:path*"] };
