// The client's IP address. X-Forwarded-For is only believed for the proxies we run (env TRUST_PROXY = how many
// hops): each proxy appends the address it saw, so with N trusted hops the client is the N-th entry from the right.
// Entries further left were written by the client itself and are never trusted.
import type { IncomingMessage } from "node:http";

export function clientIp(req: IncomingMessage, trustedHops: number): string | null {
  if (trustedHops > 0) {
    const header = req.headers["x-forwarded-for"];
    const forwarded = forwardedClient(Array.isArray(header) ? header.join(",") : header, trustedHops);
    if (forwarded) return forwarded;
  }
  const address = req.socket.remoteAddress;
  return address ? normalizeIp(address) : null;
}

/** The N-th address from the right of an X-Forwarded-For list (N = trusted hops), or null. */
export function forwardedClient(list: string | null | undefined, trustedHops: number): string | null {
  if (!list || trustedHops < 1) return null;
  const hops = list.split(",");
  const entry = hops[Math.max(0, hops.length - trustedHops)]!.trim();
  return entry ? normalizeIp(entry) : null;
}

/**
 * Set by our server on every request it hands to Next, replacing any the client sent: the client IP as clientIp()
 * found it, for code running inside Next (the sign-in), which cannot see the socket.
 */
export const CLIENT_IP_HEADER = "x-client-ip";

/** Whether this process's requests to Next come through our server (which always overwrites CLIENT_IP_HEADER). */
const shared = globalThis as unknown as { __ownServerSetsClientIp?: boolean };

export function markClientIpHeaderSet(): void {
  shared.__ownServerSetsClientIp = true;
}

/**
 * The client IP inside Next: our server's header when our server is in front; otherwise (plain `next start` /
 * `next dev`) X-Forwarded-For read as server/tracking/web-handler.ts reads it — a CLIENT_IP_HEADER sent by the
 * client is then ignored, since nothing of ours overwrote it.
 */
export function clientIpOfHeaders(headers: Record<string, string | string[] | undefined> | undefined, trustedHops: number): string | null {
  const first = (name: string) => {
    const value = headers?.[name];
    return Array.isArray(value) ? value.join(",") : value;
  };
  if (shared.__ownServerSetsClientIp) return first(CLIENT_IP_HEADER) ?? null;
  return forwardedClient(first("x-forwarded-for"), Math.max(1, trustedHops));
}

/** "::ffff:203.0.113.7" (IPv4 on a dual-stack socket) is 203.0.113.7. */
export function normalizeIp(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
