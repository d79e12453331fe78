// Link destinations: validated once when a link is written (and again when the cache loads it, for rows written
// by other means), then split into the two constant parts of every Location header so a redirect is plain string
// concatenation: head + clickId + subs + tail.

export const MAX_DESTINATION_LENGTH = 2048;

export type DestinationCheck = { ok: true; url: string } | { ok: false; error: string };

/** http(s) with a host and no user:password@ part (a phishing favourite); returns the normalised URL. */
export function checkDestination(raw: string): DestinationCheck {
  if (raw.length > MAX_DESTINATION_LENGTH) return { ok: false, error: `Destination URL is longer than ${MAX_DESTINATION_LENGTH} characters.` };
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, error: "Destination must be an absolute URL, like https://shop.example/product." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, error: "Destination must start with http:// or https://." };
  if (!url.hostname) return { ok: false, error: "Destination needs a host name." };
  if (url.username || url.password) return { ok: false, error: "Destination must not contain a user name or password." };
  return { ok: true, url: url.href };
}

export interface LocationParts {
  /** Destination up to and including "<clickIdParam>=". */
  head: string;
  /** The destination's #fragment, or "". */
  tail: string;
}

/** Precomputes the Location around the click id; null when the destination is not acceptable. */
export function locationParts(destination: string, clickIdParam: string): LocationParts | null {
  const checked = checkDestination(destination);
  if (!checked.ok) return null;
  const hash = checked.url.indexOf("#");
  const base = hash < 0 ? checked.url : checked.url.slice(0, hash);
  const tail = hash < 0 ? "" : checked.url.slice(hash);
  const joiner = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return { head: `${base}${joiner}${encodeURIComponent(clickIdParam || "click_id")}=`, tail };
}
