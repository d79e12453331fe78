// The abuse limits in one place: which exist, how each answers (429 + Retry-After) and the one metric counting
// them, `rate_limited_total{limit}`. The limiters themselves live next to what they guard:
// - sign-in per account and per IP: server/security/signin-limiter.ts (PostgreSQL store, shared by every instance);
// - postback failures per IP and per token: server/security/postback-limiter.ts (memory store, per process);
// - tRPC batch size: app/api/trpc/[trpc]/route.ts (tRPC's maxBatchSize);
// - live streams per user: server/http/trpc-stream.ts (a per-process count of open streams).
import client from "prom-client";
import { registeredOnce } from "../http/metrics";

export type LimitName = "signin_account" | "signin_ip" | "postback_ip" | "postback_token" | "trpc_batch" | "live_streams";

const limited = registeredOnce(
  "rate_limited_total",
  (name) => new client.Counter({ name, help: "Requests refused by an abuse limit (README: Security), by limit", labelNames: ["limit"] }),
);

export function countLimited(limit: LimitName): void {
  limited.inc({ limit });
}

/** Retry-After in whole seconds (at least 1) for a wait of `ms`. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** The JSON error body every limit answers with (the HTTP status is 429). */
export function limitedBody(code: string, message: string) {
  return { error: { code, message } };
}
