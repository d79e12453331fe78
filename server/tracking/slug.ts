// Which request paths can name a link. The check runs on the raw request target, before any decoding: a slug is
// 1-64 of [a-z0-9_-], so a percent-escape, a slash or backslash, a dot, a colon or any non-ASCII character makes
// the path unknown. Nothing is decoded, so no encoding of "//evil.example" can turn into a different lookup key.
export const SLUG_PATTERN = /^[a-z0-9_-]{1,64}$/;
export const SLUG_RULE = "1-64 characters: lowercase letters, digits, - and _";
export const GO_PREFIX = "/go/";

/** The slug of `/go/<slug>` (one optional trailing slash), or null when the path cannot name a link. */
export function slugFromPath(pathname: string): string | null {
  if (!pathname.startsWith(GO_PREFIX)) return null;
  const end = pathname.endsWith("/") ? pathname.length - 1 : pathname.length;
  const slug = pathname.slice(GO_PREFIX.length, end);
  return SLUG_PATTERN.test(slug) ? slug : null;
}

/** Splits a raw request target ("/go/x?sub1=a") without building a URL object (the hot path runs this per click). */
export function splitTarget(target: string): { pathname: string; query: string } {
  const q = target.indexOf("?");
  return q < 0 ? { pathname: target, query: "" } : { pathname: target.slice(0, q), query: target.slice(q + 1) };
}
