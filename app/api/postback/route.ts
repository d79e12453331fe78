// Postbacks under Next (e.g. `next dev` alone). Our own server answers GET/POST /api/postback before Next sees it;
// this route runs the same framework-free core (server/conversions) for setups without that server.
import { handlePostbackRequest } from "~/server/conversions/http";

export const dynamic = "force-dynamic";

export const GET = (request: Request) => handlePostbackRequest(request);
export const POST = (request: Request) => handlePostbackRequest(request);

/** Next would answer HEAD by running GET: a link prefetcher must never record a sale. */
export const HEAD = () => new Response(null, { status: 405, headers: { allow: "GET, POST" } });
