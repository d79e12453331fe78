// Brute-force sign-in against the real rate_limits table: failures slow the account down progressively, then lock
// it (the right password included) with "try again in N minutes"; an IP trying many accounts is locked too; the
// auth route's answer for a lock is 429 with Retry-After; each refusal is counted in /metrics.
import client from "prom-client";
import { describe, expect, it } from "vitest";
import { signInMessage } from "../auth/errors";
import { authenticate } from "../auth/options";
import { SignInLocked, SignInThrottle, asLimitedResponse } from "../auth/throttle";
import { db } from "../db";
import { FIXTURE_PASSWORD, createManager, unique } from "../testing/fixtures";

async function limitedCount(limit: string): Promise<number> {
  const metric = await client.register.getSingleMetric("rate_limited_total")?.get();
  return metric?.values.find((v) => v.labels.limit === limit)?.value ?? 0;
}

function throttle(limits: Partial<ConstructorParameters<typeof SignInThrottle>[0]> = {}) {
  const waits: number[] = [];
  const t = new SignInThrottle({ perAccount: 3, perIp: 100, windowMinutes: 15, lockMinutes: 15, delayMs: 100, ...limits }, async (ms) => void waits.push(ms));
  return { t, waits };
}

/** The outcome of one attempt: the user's id, null for wrong credentials, or the lock's error code. */
async function attempt(email: string, password: string, ip: string, t: SignInThrottle) {
  try {
    return (await authenticate(email, password, ip, null, t))?.id ?? null;
  } catch (error) {
    if (error instanceof SignInLocked) return error.message;
    throw error;
  }
}

describe("sign-in limits", () => {
  it("slows an account down with each failure, then locks it for everyone, right password included", async () => {
    const user = await createManager();
    const { t, waits } = throttle();
    const ip = `198.51.100.${Math.floor(Math.random() * 200)}`;
    const before = await limitedCount("signin_account");
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await attempt(user.email, `guess-${i}`, ip, t));
    expect(outcomes).toEqual([null, null, null, "TooManyAttempts:15"]);
    expect(waits).toEqual([100, 200, 400]); // before the 2nd, 3rd and 4th attempts
    expect(await attempt(user.email, FIXTURE_PASSWORD, "203.0.113.9", t)).toBe("TooManyAttempts:15");
    expect(await limitedCount("signin_account")).toBe(before + 2);
    expect(signInMessage("TooManyAttempts:15")).toBe("Too many failed sign-ins. Try again in 15 minutes.");
    // Shared by every instance: the lock is a row of the rate_limits table (keyed by a digest, not the email).
    const rows = await db.rateLimit.findMany({ where: { key: { startsWith: "signin_acct" } } });
    expect(rows.some((r) => r.key.includes(user.email))).toBe(false);
    expect(rows.some((r) => r.points > 3)).toBe(true);
    // Another instance (a fresh throttle on the same table) refuses it as well.
    expect(await attempt(user.email, FIXTURE_PASSWORD, ip, throttle().t)).toBe("TooManyAttempts:15");
  });

  it("clears an account's failures on a successful sign-in", async () => {
    const user = await createManager();
    const { t, waits } = throttle();
    const ip = "192.0.2.77";
    expect(await attempt(user.email, "wrong", ip, t)).toBeNull();
    expect(await attempt(user.email, "wrong", ip, t)).toBeNull();
    expect(await attempt(user.email, FIXTURE_PASSWORD, ip, t)).toBe(user.id);
    expect(await attempt(user.email, "wrong", ip, t)).toBeNull();
    expect(waits).toEqual([100, 200]); // none before the attempt after the success
  });

  it("locks an IP that tries many accounts", async () => {
    const { t } = throttle({ perAccount: 100, perIp: 4, delayMs: 0 });
    const ip = `2001:db8::${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const victim = await createManager();
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(await attempt(`${unique("nobody")}@test.local`, "guess", ip, t));
    expect(outcomes).toEqual([null, null, null, null, "TooManyAttempts:15", "TooManyAttempts:15"]);
    expect(await attempt(victim.email, FIXTURE_PASSWORD, ip, t)).toBe("TooManyAttempts:15");
    expect(await attempt(victim.email, FIXTURE_PASSWORD, "192.0.2.200", t)).toBe(victim.id);
  });

  it("the auth route answers a lock 429 with Retry-After, and leaves other refusals alone", async () => {
    const locked = Response.json({ url: "http://localhost:3000/api/auth/error?error=TooManyAttempts%3A15" }, { status: 401 });
    const answer = await asLimitedResponse(locked);
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("900");
    expect(await answer.json()).toEqual({ url: "http://localhost:3000/api/auth/error?error=TooManyAttempts%3A15" });
    const wrong = Response.json({ url: "http://localhost:3000/api/auth/error?error=CredentialsSignin" }, { status: 401 });
    expect((await asLimitedResponse(wrong)).status).toBe(401);
  });
});
