// Starts a relay in this process and stops it on shutdown (after the HTTP server stopped taking requests, before
// the database closes): in-flight requests get the grace period, the rest is released to other relays.
import { type Env, env } from "../env";
import { onShutdown } from "../lifecycle";
import { type RelayOptions, WebhookRelay } from "./relay";

export async function startWebhookRelay(options?: RelayOptions): Promise<WebhookRelay> {
  const relay = new WebhookRelay(options);
  await relay.start();
  onShutdown("webhook relay", () => relay.stop(), 50);
  return relay;
}

/**
 * Whether a server process runs a relay: unless WEBHOOK_RELAY=0 (dedicated workers only). Under NODE_ENV=test it is
 * off by default: test servers share one database with test files whose relays are scoped to their own merchants,
 * and an unscoped relay there would deliver (and SSRF-refuse) other tests' events.
 */
export function serverRelayWanted({ WEBHOOK_RELAY, NODE_ENV }: Pick<Env, "WEBHOOK_RELAY" | "NODE_ENV">): boolean {
  return (WEBHOOK_RELAY ?? (NODE_ENV === "test" ? "0" : "1")) === "1";
}

/** The relay of a server process, when wanted. */
export async function startServerRelay(): Promise<WebhookRelay | undefined> {
  return serverRelayWanted(env()) ? startWebhookRelay() : undefined;
}
