// The /go redirect, framework-free: our HTTP server and Next's proxy.ts both call resolveRedirect and only turn
// its answer into their own response type. The target is always the cached destination of an active link (or the
// program's configured fallback): nothing from the request is ever used as a target, and the only request data
// placed in the Location (sub1…sub5) is percent-encoded, so it cannot change the host, path or fragment.
import type { ClickEvent } from "./click-events";
import type { LinkCache } from "./link-cache";
import { slugFromPath } from "./slug";
import { type RepeatDetector, isBotAgent } from "./visitor";

export const SUB_KEYS = ["sub1", "sub2", "sub3", "sub4", "sub5"] as const;
const MAX_SUB_LENGTH = 255;
const MAX_USER_AGENT_LENGTH = 512;
const MAX_REFERER_LENGTH = 1024;

/** A click as stored (the `clicks` row) and as announced to in-process listeners (a superset of ClickEvent). */
export interface ClickRecord extends ClickEvent {
  referer: string | null;
  sub1: string | null;
  sub2: string | null;
  sub3: string | null;
  sub4: string | null;
  sub5: string | null;
}

export interface RequestFacts {
  method: string;
  ip: string | null;
  userAgent: string | null;
  referer: string | null;
}

export interface RedirectDeps {
  sign: (linkId: number, atMs: number) => string;
  repeats: RepeatDetector;
  now?: () => number;
}

export type RedirectResult =
  | { outcome: "redirect" | "bot" | "head"; status: 302; location: string; click: ClickRecord }
  | { outcome: "fallback"; status: 302; location: string }
  | { outcome: "not_found"; status: 404 }
  | { outcome: "method_not_allowed"; status: 405 };

/** `pathname` and `query` are the raw (undecoded) parts of the request target. */
export function resolveRedirect(pathname: string, query: string, cache: LinkCache, request: RequestFacts, deps: RedirectDeps): RedirectResult {
  // A tracking link is followed with GET (HEAD from link checkers); anything else is no click and no redirect.
  if (request.method !== "GET" && request.method !== "HEAD") return { outcome: "method_not_allowed", status: 405 };
  const slug = slugFromPath(pathname);
  const link = slug === null ? undefined : cache.get(slug);
  if (!link) {
    return cache.fallbackUrl ? { outcome: "fallback", status: 302, location: cache.fallbackUrl } : { outcome: "not_found", status: 404 };
  }
  const at = deps.now ? deps.now() : Date.now();
  const clickId = deps.sign(link.id, at);
  const subs = query ? readSubs(query) : NO_SUBS;
  const userAgent = clean(request.userAgent, MAX_USER_AGENT_LENGTH);
  const isBot = isBotAgent(userAgent);
  const isHead = request.method === "HEAD";
  const click: ClickRecord = {
    clickId,
    linkId: link.id,
    affiliateId: link.affiliateId,
    offerId: link.offerId,
    at,
    ip: request.ip,
    userAgent,
    referer: clean(request.referer, MAX_REFERER_LENGTH),
    sub1: subs.values[0],
    sub2: subs.values[1],
    sub3: subs.values[2],
    sub4: subs.values[3],
    sub5: subs.values[4],
    isBot,
    isRepeat: deps.repeats.seen(link.id, request.ip, userAgent, at),
    billable: !isBot && !isHead,
  };
  return {
    outcome: isBot ? "bot" : isHead ? "head" : "redirect",
    status: 302,
    location: link.head + clickId + subs.passThrough + link.tail,
    click,
  };
}

type Five = [string | null, string | null, string | null, string | null, string | null];

interface Subs {
  values: Five;
  /** "&sub1=…&sub2=…", re-encoded from the decoded values. */
  passThrough: string;
}

const NO_SUBS: Subs = { values: [null, null, null, null, null], passThrough: "" };

/** sub1…sub5 from a raw query string; the first occurrence of each wins, undecodable values are ignored. */
export function readSubs(query: string): Subs {
  let values: Five | undefined;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf("&", start);
    if (end < 0) end = query.length;
    // Only "subN=" (5 characters) can match: cheap prefix test before anything else.
    if (end - start >= 5 && query.charCodeAt(start) === 115 /* s */ && query.startsWith("sub", start) && query.charCodeAt(start + 4) === 61 /* = */) {
      const n = query.charCodeAt(start + 3) - 49; // "1" → 0
      if (n >= 0 && n < 5) {
        values ??= [null, null, null, null, null];
        if (values[n] === null) values[n] = decode(query.slice(start + 5, end));
      }
    }
    start = end + 1;
  }
  if (!values) return NO_SUBS;
  let passThrough = "";
  for (let i = 0; i < 5; i++) {
    const value = values[i];
    if (value != null) passThrough += `&${SUB_KEYS[i]}=${UNRESERVED.test(value) ? value : encodeURIComponent(value)}`;
  }
  return { values, passThrough };
}

/** Values made only of these characters read and re-encode as themselves (the common case: ids, campaign names). */
const UNRESERVED = /^[\w.~-]{1,255}$/;

function decode(raw: string): string | null {
  if (UNRESERVED.test(raw)) return raw;
  let value: string;
  try {
    value = decodeURIComponent(raw.includes("+") ? raw.replaceAll("+", " ") : raw);
  } catch {
    return null;
  }
  return clean(value, MAX_SUB_LENGTH) || null;
}

/** Bounded length and no NUL (PostgreSQL text cannot hold it, and one bad row must never fail a whole batch). */
function clean(value: string | null, max: number): string | null {
  if (value == null) return null;
  const short = value.length > max ? value.slice(0, max) : value;
  return short.includes("\0") ? short.replaceAll("\0", "") : short;
}
