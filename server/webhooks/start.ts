// Starts a relay in this process and stops it on shutdown (after the HTTP server stopped taking requests, before
// the database closes): in-flight requests get the grace period, the rest is released to other relays. Every
// process that starts webhooks first re-encrypts signing secrets not yet sealed under the current key.
import pg from "pg";
import { type Env, env } from "../env";
import { onShutdown } from "../lifecycle";
import { type RelayOptions, WebhookRelay } from "./relay";
import { resealEndpointSecrets } from "./store";
import { logLine } from "../log";

export async function startWebhookRelay(options?: RelayOptions): Promise<WebhookRelay> {
  await resealSecretsAtStart();
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
  if (serverRelayWanted(env())) return startWebhookRelay();
  await resealSecretsAtStart();
  return undefined;
}

/**
 * The migration path of secret encryption and of a WEBHOOK_SECRET_KEY change: plain secrets from before encryption
 * and secrets sealed under WEBHOOK_SECRET_KEY_PREVIOUS are rewritten under the current key. Never stops the start.
 */
async function resealSecretsAtStart(log = logLine): Promise<void> {
  const client = new pg.Client({ connectionString: env().DATABASE_URL });
  try {
    await client.connect();
    const { resealed, unreadable } = await resealEndpointSecrets(client);
    if (resealed > 0) log(`[webhooks] encrypted ${resealed} endpoints' signing secrets under the current WEBHOOK_SECRET_KEY`);
    if (unreadable > 0) {
      log(
        `[webhooks] ${unreadable} endpoints' signing secrets open with neither WEBHOOK_SECRET_KEY nor WEBHOOK_SECRET_KEY_PREVIOUS: ` +
          "their deliveries fail until their merchants rotate the secret",
      );
    }
  } catch (error) {
    log(`[webhooks] could not re-encrypt signing secrets (retried at the next start): ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}
