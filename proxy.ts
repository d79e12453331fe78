// Next 16's proxy (formerly middleware), Node.js runtime: /go/<slug> under plain `next dev` / `next start`.
// In `npm start` and `npm run dev` our own HTTP server answers /go before Next sees the request, so this only runs
// when Next is started on its own. It uses the same redirect core, with its own link cache and click sink started
// lazily in this process (see server/tracking/web-handler.ts). Unlike our server, Next gives no shutdown hook: the
// clicks of the last flush interval (≤ 100 ms) can be lost when such a process is stopped.
import type { NextRequest } from "next/server";
import { handleGoRequest } from "./server/tracking/web-handler";

export function proxy(request: NextRequest): Promise<Response> {
  return handleGoRequest(request);
}

export const config = { matcher: ["/go/:path*"] };
