// Sign-in limits (README: Security): failed sign-ins per account (email) and per client IP. Each failure of an
// account makes its next attempt wait longer (SIGNIN_DELAY_MS, doubling, 8 steps at most); past
// SIGNIN_FAILURES_PER_ACCOUNT (or SIGNIN_FAILURES_PER_IP for the IP) within SIGNIN_WINDOW_MINUTES, sign-in is
// refused for SIGNIN_LOCK_MINUTES with "try again in N minutes" — the right password included, so guessing gains
// nothing — answered 429 + Retry-After by the auth route. A successful sign-in clears its account's failures.
// PostgreSQL store (rate-limiter-flexible's RateLimiterPostgres on the rate_limits table): every instance behind a
// load balancer sees the same counts, so spreading guesses over instances does not multiply them. Sign-in is rare
// enough for the round trip. Keys are digests: no email or IP in the table.
import { createHash } from "node:crypto";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { getPool } from "../db";
import { env } from "../env";
import { countLimited, retryAfterSeconds } from "../security/limits";
import { TOO_MANY_ATTEMPTS, lockedMinutes } from "./errors";

export interface SignInLimits {
  perAccount: number;
  perIp: number;
  windowMinutes: number;
  lockMinutes: number;
  delayMs: number;
}

/** A sign-in refused by the limits; its message is what next-auth hands to the sign-in form. */
export class SignInLocked extends Error {
  constructor(readonly waitMs: number) {
    super(`${TOO_MANY_ATTEMPTS}:${Math.max(1, Math.ceil(waitMs / 60_000))}`);
  }
}

const digest = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 32);

export class SignInThrottle {
  private readonly account: RateLimiterPostgres;
  private readonly ip: RateLimiterPostgres;

  constructor(readonly limits: SignInLimits, private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))) {
    const common = { storeClient: getPool(), storeType: "pool", tableName: "rate_limits", tableCreated: true, duration: limits.windowMinutes * 60, blockDuration: limits.lockMinutes * 60 };
    this.account = new RateLimiterPostgres({ ...common, keyPrefix: "signin_acct", points: limits.perAccount });
    this.ip = new RateLimiterPostgres({ ...common, keyPrefix: "signin_ip", points: limits.perIp });
  }

  /**
   * Before the password is checked: throws SignInLocked while the account or IP is locked, else waits the
   * account's progressive delay.
   */
  async before(email: string, ip: string | null): Promise<void> {
    const [account, byIp] = await Promise.all([this.account.get(digest(email)), ip ? this.ip.get(digest(ip)) : null]);
    this.refuseIfOver(account, this.limits.perAccount, "signin_account");
    this.refuseIfOver(byIp, this.limits.perIp, "signin_ip");
    const failures = account?.consumedPoints ?? 0;
    if (failures > 0 && this.limits.delayMs > 0) await this.sleep(this.limits.delayMs * 2 ** (Math.min(failures, 8) - 1));
  }

  /** A wrong password (or unknown email): counts against both; throws SignInLocked when this one crossed a limit. */
  async failed(email: string, ip: string | null): Promise<void> {
    const results = await Promise.allSettled([this.account.consume(digest(email)), ip ? this.ip.consume(digest(ip)) : null]);
    for (const [i, result] of results.entries()) {
      if (result.status === "fulfilled") continue;
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      countLimited(i === 0 ? "signin_account" : "signin_ip");
      throw new SignInLocked(result.reason.msBeforeNext);
    }
  }

  async succeeded(email: string): Promise<void> {
    await this.account.delete(digest(email));
  }

  private refuseIfOver(res: RateLimiterRes | null, points: number, limit: "signin_account" | "signin_ip") {
    if (res && res.consumedPoints > points && res.msBeforeNext > 0) {
      countLimited(limit);
      throw new SignInLocked(res.msBeforeNext);
    }
  }
}

const shared = globalThis as unknown as { __signInThrottle?: SignInThrottle | null };

/** The process's sign-in limits from the environment; null with RATE_LIMITS=off. */
export function signInThrottle(): SignInThrottle | null {
  if (shared.__signInThrottle !== undefined) return shared.__signInThrottle;
  const e = env();
  return (shared.__signInThrottle =
    e.RATE_LIMITS === "off"
      ? null
      : new SignInThrottle({ perAccount: e.SIGNIN_FAILURES_PER_ACCOUNT, perIp: e.SIGNIN_FAILURES_PER_IP, windowMinutes: e.SIGNIN_WINDOW_MINUTES, lockMinutes: e.SIGNIN_LOCK_MINUTES, delayMs: e.SIGNIN_DELAY_MS }));
}

/** Tests change the limits between cases. */
export function resetSignInThrottleForTests(): void {
  shared.__signInThrottle = undefined;
}

/**
 * next-auth answers a refused credentials sign-in 200/401 with `{ url: ".../signin?error=…" }` (or a redirect to
 * it): a refusal by the limits becomes 429 with Retry-After, the body unchanged (next-auth's client reads it).
 */
export async function asLimitedResponse(response: Response): Promise<Response> {
  // A plain form post gets next-auth's redirect, which shows the message on the sign-in page: left as it is.
  if (!(response.headers.get("content-type") ?? "").includes("application/json")) return response;
  const body = (await response.clone().json().catch(() => null)) as { url?: string } | null;
  const code = body?.url ? new URL(body.url, "http://internal").searchParams.get("error") : null;
  const minutes = lockedMinutes(code);
  if (minutes === null) return response;
  const headers = new Headers(response.headers);
  headers.set("retry-after", String(retryAfterSeconds(minutes * 60_000)));
  return new Response(response.body, { status: 429, headers });
}
