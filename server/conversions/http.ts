// The postback endpoint over HTTP, twice: as a hot route on our own Node server (the fast path: no Next request
// pipeline) and as a fetch-style handler for Next's app/api/postback/route.ts (so `next dev` serves it too).
// Both only turn the request into (method, params, token, sender IP) and the core's answer into a response.
import type { IncomingMessage, ServerResponse } from "node:http";
import { getPool } from "../db";
import { env } from "../env";
import { evaluateConversion } from "../fraud";
import { clientIp } from "../http/client-ip";
import { type HotRoute, sendJson } from "../http/types";
import { createClickIdCodec } from "../tracking/click-id";
import { type RawParams, extractToken } from "./params";
import { type PostbackDeps, type PostbackResponse, processPostback } from "./postback";
import { PostbackRejection } from "./reasons";
import { writeLog } from "./store";

export const POSTBACK_PATH = "/api/postback";
export const MAX_BODY_BYTES = 16 * 1024;

let defaults: PostbackDeps | undefined;

/** The production wiring: the shared pool, the click id secret, the fraud seam. */
export function defaultPostbackDeps(): PostbackDeps {
  return (defaults ??= {
    pool: getPool(),
    codec: createClickIdCodec(env().CLICK_ID_SECRET),
    now: () => new Date(),
    evaluate: evaluateConversion,
  });
}

/** Query parameters plus the body's (the body wins), or a rejection for a body we cannot read. */
export function mergeParams(query: URLSearchParams, contentType: string | null, body: string): RawParams {
  const params: RawParams = {};
  for (const [key, value] of query) if (!(key in params)) params[key] = value;
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
    return Object.assign(params, parsed);
  }
  if (type === "application/x-www-form-urlencoded") {
    for (const [key, value] of new URLSearchParams(body)) params[key] = value;
    return params;
  }
  throw new PostbackRejection("unsupported_media_type");
}

/** A request refused before the core runs (unreadable body): still logged, still a 4xx. */
async function refuseUnread(deps: PostbackDeps, method: string, query: URLSearchParams, senderIp: string | null, rejection: PostbackRejection): Promise<PostbackResponse> {
  const body = { error: { code: rejection.code, message: rejection.message } };
  const params: Record<string, string> = {};
  for (const [key, value] of query) if (key.toLowerCase() !== "token") params[key.slice(0, 64)] = value.slice(0, 256);
  try {
    await writeLog(deps.pool, { merchantId: null, method, params, outcome: "REJECTED", reasonCode: rejection.code, message: rejection.message, httpStatus: rejection.status, conversionId: null, ip: senderIp, receivedAt: deps.now() });
  } catch {
    // The answer is the same 4xx: the request itself is unusable whatever the database says.
  }
  return { status: rejection.status, body, headers: {} };
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const headerGetter = (req: IncomingMessage) => ({
  get: (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  },
});

/** The hot route for our own server. */
export function postbackRoute(deps: () => PostbackDeps = defaultPostbackDeps, trustedHops = 0): HotRoute {
  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (url.pathname !== POSTBACK_PATH && url.pathname !== `${POSTBACK_PATH}/`) {
      return sendJson(res, 404, { error: { code: "not_found", message: `Postbacks go to ${POSTBACK_PATH}.` } });
    }
    const d = deps();
    const method = req.method ?? "GET";
    const senderIp = clientIp(req, trustedHops);
    const answer = await answerRequest(d, method, url.searchParams, headerGetter(req), senderIp, method === "POST" ? () => readBody(req) : null);
    sendJson(res, answer.status, answer.body, answer.headers);
  };
  return { prefix: POSTBACK_PATH, methods: ["GET", "POST"], handle };
}

/** Next's route handler (app/api/postback/route.ts): the same core for `next dev` and other Next-only setups. */
export async function handlePostbackRequest(request: Request, deps: PostbackDeps = defaultPostbackDeps()): Promise<Response> {
  const url = new URL(request.url);
  const senderIp = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() || null;
  const readFetchBody = async () => {
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared > MAX_BODY_BYTES) return null;
    const text = await request.text();
    return Buffer.byteLength(text) > MAX_BODY_BYTES ? null : text;
  };
  const answer = await answerRequest(deps, request.method, url.searchParams, request.headers, senderIp, request.method === "POST" ? readFetchBody : null);
  return Response.json(answer.body, { status: answer.status, headers: { "cache-control": "no-store", ...answer.headers } });
}

async function answerRequest(
  deps: PostbackDeps,
  method: string,
  query: URLSearchParams,
  headers: { get(name: string): string | null | undefined },
  senderIp: string | null,
  readBodyText: (() => Promise<string | null>) | null,
): Promise<PostbackResponse> {
  let params: RawParams;
  try {
    const body = readBodyText ? await readBodyText() : "";
    if (body === null) throw new PostbackRejection("payload_too_large");
    params = mergeParams(query, headers.get("content-type") ?? null, body);
  } catch (error) {
    if (!(error instanceof PostbackRejection)) throw error;
    return refuseUnread(deps, method, query, senderIp, error);
  }
  return processPostback({ method, params, auth: { token: extractToken(headers, params) }, senderIp }, deps);
}
