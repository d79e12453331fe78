// The one place configuration is read and validated. Parsed on first use (not at import), so `next build` can
// load modules without a database; after that every read is a plain property access.
import { z } from "zod";

const secret = (name: string) =>
  z.string({ error: `${name} is required (32+ characters); local runs generate it under .data/` }).min(32, {
    error: `${name} must be at least 32 characters`,
  });

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: "DATABASE_URL must be a postgresql:// URL" }),
  /** next-auth's JWT/session secret. */
  NEXTAUTH_SECRET: secret("NEXTAUTH_SECRET"),
  /** Public base URL of this instance (used by next-auth and in tracking links). */
  NEXTAUTH_URL: z.url().optional(),
  /** HMAC key of click ids: rotating it invalidates every click id in flight. */
  CLICK_ID_SECRET: secret("CLICK_ID_SECRET"),
  /** Key that encrypts webhook signing secrets at rest (AES-256-GCM, see webhooks/secret-box.ts). */
  WEBHOOK_SECRET_KEY: secret("WEBHOOK_SECRET_KEY"),
  /** The key before a change of WEBHOOK_SECRET_KEY: still opens old values until they are re-encrypted at start. */
  WEBHOOK_SECRET_KEY_PREVIOUS: z.string().min(32, { error: "WEBHOOK_SECRET_KEY_PREVIOUS must be at least 32 characters" }).optional(),
  /** Finished webhook deliveries (with their attempts) and processed outbox events are deleted after this many days. */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Comma-separated hosts/CIDRs webhook endpoints may target despite the SSRF guard (tests, local receivers). */
  WEBHOOK_ALLOWED_HOSTS: z.string().default(""),
  /** Run the webhook relay inside the server process; unset: yes, except under NODE_ENV=test (see webhooks/start.ts). */
  WEBHOOK_RELAY: z.enum(["0", "1"]).optional(),
  /** Proxy hops in front of us whose X-Forwarded-For we believe (0: use the socket address; 1: one load balancer). */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Click sink: most clicks held in memory (a database outage beyond this drops clicks, counted in /metrics). */
  CLICK_BUFFER_MAX: z.coerce.number().int().min(1).default(200_000),
  /** Live streams (SSE) one user may hold open at once; one more is answered 429. */
  LIVE_STREAMS_PER_USER: z.coerce.number().int().min(1).max(100).default(8),
  /**
   * Rate limits (README "Security"). "off" turns off the sign-in and postback limiters (benchmarks' baseline,
   * emergencies); TRPC_MAX_BATCH_SIZE and LIVE_STREAMS_PER_USER always apply.
   */
  RATE_LIMITS: z.enum(["on", "off"]).default("on"),
  /** Failed sign-ins per account (email) within SIGNIN_WINDOW_MINUTES before it is locked for SIGNIN_LOCK_MINUTES. */
  SIGNIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  /** Failed sign-ins per client IP within SIGNIN_WINDOW_MINUTES before the IP is locked for SIGNIN_LOCK_MINUTES. */
  SIGNIN_FAILURES_PER_IP: z.coerce.number().int().min(1).default(20),
  SIGNIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  SIGNIN_LOCK_MINUTES: z.coerce.number().int().min(1).default(15),
  /** Progressive delay: each failure of the account beyond the first waits this much longer (capped at 8 steps). */
  SIGNIN_DELAY_MS: z.coerce.number().int().min(0).max(5_000).default(250),
  /** Postbacks refused without a valid token, per sender IP per minute, before the IP is answered 429. */
  POSTBACK_FAILURES_PER_IP: z.coerce.number().int().min(1).default(60),
  /** Postbacks refused with a valid token (bad parameters, forged click ids…), per token per minute. */
  POSTBACK_FAILURES_PER_TOKEN: z.coerce.number().int().min(1).default(6_000),
  /** How long an IP or token over its postback failure limit is answered 429. */
  POSTBACK_BLOCK_SECONDS: z.coerce.number().int().min(1).default(900),
  /** Most calls in one tRPC batch request (the app's own client sends at most 20). */
  TRPC_MAX_BATCH_SIZE: z.coerce.number().int().min(20).max(1_000).default(50),
  /** postback_logs and audit_logs rows older than this many days are deleted in small batches. */
  POSTBACK_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  AUDIT_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
  /** Click sink: rows per multi-row insert, and the longest a click waits before its batch is written. */
  CLICK_BATCH_SIZE: z.coerce.number().int().min(1).default(5_000),
  CLICK_FLUSH_MS: z.coerce.number().int().min(1).default(20),
  /** Full reload of the link cache, the safety net behind LISTEN/NOTIFY. */
  LINK_RESYNC_MS: z.coerce.number().int().min(100).default(30_000),
  /** Fraud checks in the conversion path ("off" passes every conversion: benchmarks' baseline, emergencies). */
  /** Clicks older than this are dropped a whole month at a time (server/tracking/click-partitions.ts). */
  CLICK_RETENTION_DAYS: z.coerce.number().int().min(31).default(400),
  /** How often the rollups' deltas are folded (server/reporting/compactor.ts); reads are exact either way. */
  ROLLUP_COMPACT_MS: z.coerce.number().int().min(50).default(1_000),
  FRAUD_CHECKS: z.enum(["on", "off"]).default("on"),
  /**
   * Demo data on an empty database at start: "auto" seeds any database outside production (never under
   * NODE_ENV=production, embedded or not: the demo logins and postback token are public); "1" always (with a loud
   * warning in production); "0" never.
   */
  SEED: z.enum(["auto", "0", "1"]).default("auto"),
  /** SMTP transport for one-time links (smtp://user:pass@host:587; smtps:// for TLS). Unset: no mail is sent. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: "SMTP_URL must be an smtp:// or smtps:// URL" }).optional(),
  MAIL_FROM: z.string().default("Affiliate program <no-reply@localhost>"),
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (scrapers from outside the private network). */
  METRICS_TOKEN: z.string().min(16, { error: "METRICS_TOKEN must be at least 16 characters" }).optional(),
  /** A second, internal listener that serves GET /metrics without a token (on METRICS_HOST: keep it private). */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_HOST: z.string().default("127.0.0.1"),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`).join("\n");
    throw new Error(`Invalid environment:\n${problems}`);
  }
  cached = parsed.data;
  return cached;
}

/** Tests change the environment between cases; production code never calls this. */
export function resetEnvForTests() {
  cached = undefined;
}
