// The postback endpoint over HTTP, twice: as a hot route on our own Node server (the fast path: no Next request
// pipeline) and as a fetch-style handler for Next's app/api/postback/route.ts (so `next dev` serves it too).
// Both only turn the request into (method, params, token, sender IP) and the core's answer into a response.
// A body is read up to MAX_BODY_BYTES and no further: past it the request is answered 413 (and our server closes
// the connection) without waiting for the rest.
import type { IncomingMessage, ServerResponse } from "node:http";
import { env } from "../env";
import { evaluateConversion } from "../fraud";
import { clientIp, forwardedClient } from "../http/client-ip";
import { type HotRoute, sendJson } from "../http/types";
import { recordPostback } from "./metrics";
import { createClickIdCodec } from "../tracking/click-id";
import { PostbackLimiter, postbackLimitsFromEnv } from "./limiter";
import { type RawParams, extractToken, queryParams } from "./params";
import { postbackPool } from "./pool";
import { type PostbackDeps, type PostbackResponse, processPostback } from "./postback";
import { PostbackRejection } from "./reasons";

export const POSTBACK_PATH = "/api/postback";
export const MAX_BODY_BYTES = 16 * 1024;

let defaults: PostbackDeps | undefined;
let defaultLimiter: PostbackLimiter | null | undefined;

/** The process's failure limiter from the environment (null with RATE_LIMITS=off). */
export function defaultPostbackLimiter(): PostbackLimiter | null {
  if (defaultLimiter === undefined) {
    const limits = postbackLimitsFromEnv();
    defaultLimiter = limits ? new PostbackLimiter(limits) : null;
  }
  return defaultLimiter;
}

/** The production wiring: the postback pool, the click id secret, the fraud seam. */
export function defaultPostbackDeps(): PostbackDeps {
  return (defaults ??= {
    pool: postbackPool(),
    codec: createClickIdCodec(env().CLICK_ID_SECRET),
    now: () => new Date(),
    evaluate: evaluateConversion,
  });
}

/** Query parameters plus the body's (the body wins), or a rejection for a body we cannot read. */
export function mergeParams(query: URLSearchParams, contentType: string | null, body: string): RawParams {
  const params = queryParams(query);
  if (!body) return params;
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new PostbackRejection("invalid_params", "The body is not valid JSON.");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new PostbackRejection("invalid_params", "The JSON body must be an object of parameters.");
    // Own keys copied one by one into the null-prototype bag: "__proto__" stays a plain (unknown) parameter.
    for (const [key, value] of Object.entries(parsed)) params[key] = value;
    return params;
  }
  if (type === "application/x-www-form-urlencoded") {
    for (const [key, value] of new URLSearchParams(body)) params[key] = value;
    return params;
  }
  throw new PostbackRejection("unsupported_media_type");
}

/** A body is either text or too large (null). */
type ReadBody = () => Promise<string | null>;

/** Reads a Node request body, stopping (and pausing the socket) as soon as it passes MAX_BODY_BYTES. */
function readNodeBody(req: IncomingMessage): Promise<string | null> {
  if (Number(req.headers["content-length"]) > MAX_BODY_BYTES) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off("data", onData).off("end", onEnd).off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      done();
      req.pause();
      resolve(null);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (error: Error) => {
      done();
      reject(error);
    };
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

/** Reads a fetch body as a stream, cancelling it as soon as it passes MAX_BODY_BYTES (chunked bodies included). */
async function readFetchBody(body: ReadableStream<Uint8Array> | null): Promise<string | null> {
  if (!body) return "";
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks).toString("utf8");
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
}

const headerGetter = (req: IncomingMessage) => ({
  get: (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  },
});

/** The hot route for our own server. */
export function postbackRoute(deps: () => PostbackDeps = defaultPostbackDeps, trustedHops = 0, limiter: PostbackLimiter | null = defaultPostbackLimiter()): HotRoute {
  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== POSTBACK_PATH && url.pathname !== `${POSTBACK_PATH}/`) {
      return sendJson(res, 404, { error: { code: "not_found", message: `Postbacks go to ${POSTBACK_PATH}.` } });
    }
    const started = performance.now();
    const method = req.method ?? "GET";
    let unread = false; // a body left unread past the limit: the connection cannot be reused
    const readBody = async () => {
      const body = await readNodeBody(req);
      unread = body === null;
      return body;
    };
    const headers = headerGetter(req);
    const senderIp = clientIp(req, trustedHops);
    const refused = limiter?.refuse(senderIp, () => extractToken(headers, queryParams(url.searchParams)));
    if (refused) {
      // Nothing of a blocked sender's request is read: the connection closes rather than drain its body.
      sendJson(res, refused.status, refused.body, method === "POST" ? { ...refused.headers, connection: "close" } : refused.headers);
      return recordPostback(refused.status, started);
    }
    const answer = await answerRequest(deps(), { method, query: url.searchParams, headers, senderIp, readBody: method === "POST" ? readBody : null }, limiter);
    sendJson(res, answer.status, answer.body, unread ? { ...answer.headers, connection: "close" } : answer.headers);
    recordPostback(answer.status, started);
  };
  return { prefix: POSTBACK_PATH, methods: ["GET", "POST"], handle };
}

/**
 * Next's route handler (app/api/postback/route.ts): the same core for `next dev` and other Next-only setups. The
 * sender's address follows server/http/client-ip.ts: X-Forwarded-For is believed for `trustedHops` proxies only
 * (TRUST_PROXY); a route handler never sees the socket, so without trusted proxies the address is unknown.
 */
export async function handlePostbackRequest(request: Request, deps: PostbackDeps = defaultPostbackDeps(), trustedHops = env().TRUST_PROXY, limiter: PostbackLimiter | null = defaultPostbackLimiter()): Promise<Response> {
  const url = new URL(request.url);
  const senderIp = forwardedClient(request.headers.get("x-forwarded-for"), trustedHops);
  const readBody = () => readFetchBody(request.body);
  const answer =
    limiter?.refuse(senderIp, () => extractToken(request.headers, queryParams(url.searchParams))) ??
    (await answerRequest(deps, { method: request.method, query: url.searchParams, headers: request.headers, senderIp, readBody: request.method === "POST" ? readBody : null }, limiter));
  return Response.json(answer.body, { status: answer.status, headers: { "cache-control": "no-store", ...answer.headers } });
}

/** A postback as the HTTP layer read it (the body not yet: `readBody`). */
interface HttpPostback {
  method: string;
  query: URLSearchParams;
  headers: { get(name: string): string | null | undefined };
  senderIp: string | null;
  readBody: ReadBody | null;
}

/** The core's answer, passed through the failure limits when there are any. */
async function answerRequest(deps: PostbackDeps, request: HttpPostback, limiter: PostbackLimiter | null): Promise<PostbackResponse> {
  const answer = await answerCore(deps, request);
  return limiter ? limiter.settle(request.senderIp, answer) : answer;
}

async function answerCore(deps: PostbackDeps, { method, query, headers, senderIp, readBody }: HttpPostback): Promise<PostbackResponse> {
  let params: RawParams;
  try {
    const body = readBody ? await readBody() : "";
    if (body === null) throw new PostbackRejection("payload_too_large");
    params = mergeParams(query, headers.get("content-type") ?? null, body);
  } catch (error) {
    if (!(error instanceof PostbackRejection)) throw error;
    // The body is unusable: the core logs the query's parameters with this answer (and the merchant, when the
    // token came in a header or the query).
    const known = queryParams(query);
    return processPostback({ method, params: known, auth: { token: extractToken(headers, known) }, senderIp, refused: error }, deps);
  }
  return processPostback({ method, params, auth: { token: extractToken(headers, params) }, senderIp }, deps);
}
