// Security headers of every response: our server sets the common ones on everything it answers (hot paths and what
// it hands to Next); pages get their Content-Security-Policy with a per-request nonce from proxy.ts, which Next
// reads from the request's CSP header and puts on its own inline scripts. Pure: no env reads here.

/** HSTS for a year once the public URL is https (a browser that saw it never tries http again). */
const HSTS = "max-age=31536000; includeSubDomains";

/** Headers every response carries (pages, API, /go, postbacks, metrics). */
export function commonSecurityHeaders({ https }: { https: boolean }): Record<string, string> {
  return {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY", // frame-ancestors' fallback for old browsers
    ...(https ? { "strict-transport-security": HSTS } : {}),
  };
}

/** The CSP of a response that is not a page (JSON, text, redirects): nothing may load, nothing may frame it. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * A page's CSP: scripts only with this request's nonce (and what they load: 'strict-dynamic'); styles from our
 * origin plus inline style attributes (React's `style={…}` and the charts use them; they cannot run code);
 * no plugins, no framing, forms and <base> only to our origin. Development adds 'unsafe-eval' (React's dev tools).
 */
export function pageCsp(nonce: string, { dev = false, https = false }: { dev?: boolean; https?: boolean } = {}): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** A fresh nonce per page request (128 random bits, base64). */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

export const isHttps = (url: string | undefined) => url?.startsWith("https://") ?? false;
