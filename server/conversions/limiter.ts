// Failure limits of postback intake (README: Security). Only refused postbacks count; an accepted one never
// consumes anything, so a valid token's traffic at any rate is never limited:
// - per sender IP, postbacks refused WITHOUT a valid token (missing or wrong token): past POSTBACK_FAILURES_PER_IP
//   a minute the IP is answered 429 before any database work (no pool connection, no log row) for
//   POSTBACK_BLOCK_SECONDS — except requests carrying a token this process has seen accepted (a merchant sharing
//   an address with a flood keeps its intake);
// - per token (merchant), postbacks refused WITH a valid token (bad parameters, forged click ids…): past
//   POSTBACK_FAILURES_PER_TOKEN a minute, that token's refusals are answered 429 + Retry-After instead of their 4xx
//   (still logged, collapsed when identical: store.ts) for POSTBACK_BLOCK_SECONDS; its valid postbacks still pass.
// Memory store (rate-limiter-flexible's RateLimiterMemory), per process: a shared store would cost a database
// round trip per refused postback — the very load this limits — and N instances only multiply the allowance by N.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "../env";
import { hashPostbackToken } from "../merchants/postback-token";
import { countLimited, limitedBody, retryAfterSeconds } from "../security/limits";
import type { PostbackResponse } from "./postback";

export interface PostbackLimits {
  perIp: number;
  perToken: number;
  blockSeconds: number;
}

/** Accepted tokens remembered (as hashes) for the blocked-IP exemption; the set starts over past this size. */
const GOOD_TOKENS_MAX = 10_000;

export class PostbackLimiter {
  private readonly ip: RateLimiterMemory;
  private readonly token: RateLimiterMemory;
  /** Keys over their limit → when they are let through again (a Map read per request, no promise). */
  private readonly blocked = new Map<string, number>();
  private readonly goodTokens = new Set<string>();

  constructor(readonly limits: PostbackLimits, private readonly now: () => number = Date.now) {
    this.ip = new RateLimiterMemory({ keyPrefix: "pb_ip", points: limits.perIp, duration: 60, blockDuration: limits.blockSeconds });
    this.token = new RateLimiterMemory({ keyPrefix: "pb_tok", points: limits.perToken, duration: 60, blockDuration: limits.blockSeconds });
  }

  /** Before any work: the 429 for a blocked sender IP, or null to go ahead. `token` is read only for a blocked IP. */
  refuse(senderIp: string | null, token: () => string | null): PostbackResponse | null {
    const wait = this.waitOf(`ip:${senderIp ?? "unknown"}`);
    if (wait === 0) return null;
    const given = token();
    if (given && this.goodTokens.has(hashPostbackToken(given))) return null;
    countLimited("postback_ip");
    return limitedAnswer("too_many_failures", "Too many refused postbacks from this address (missing or wrong token).", wait);
  }

  /** After the core's answer: counts a refusal against its IP or token, and answers 429 for a token over its limit. */
  async settle(senderIp: string | null, answer: PostbackResponse): Promise<PostbackResponse> {
    const source = answer.source;
    if (answer.status < 400) {
      if (source?.tokenHash && !this.goodTokens.has(source.tokenHash)) {
        if (this.goodTokens.size >= GOOD_TOKENS_MAX) this.goodTokens.clear();
        this.goodTokens.add(source.tokenHash);
      }
      return answer;
    }
    if (answer.status >= 500 || answer.status === 429) return answer; // our failure, not the sender's
    if (source?.merchantId) {
      const key = `token:${source.merchantId}`;
      const wait = this.waitOf(key) || (await this.consume(this.token, key));
      if (wait === 0) return answer;
      countLimited("postback_token");
      return limitedAnswer("too_many_failures", `Too many refused postbacks with this token: fix the integration (the postback log has each reason). ${answer.body.error ? `This one: ${(answer.body.error as { message: string }).message}` : ""}`.trim(), wait);
    }
    await this.consume(this.ip, `ip:${senderIp ?? "unknown"}`);
    return answer;
  }

  /** Consumes a point: 0 while under the limit, else the wait (and the key is blocked until then). */
  private async consume(limiter: RateLimiterMemory, key: string): Promise<number> {
    try {
      await limiter.consume(key);
      return 0;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      this.blocked.set(key, this.now() + error.msBeforeNext);
      return error.msBeforeNext;
    }
  }

  private waitOf(key: string): number {
    const until = this.blocked.get(key);
    if (until === undefined) return 0;
    const wait = until - this.now();
    if (wait > 0) return wait;
    this.blocked.delete(key);
    return 0;
  }
}

function limitedAnswer(code: string, message: string, waitMs: number): PostbackResponse {
  const seconds = retryAfterSeconds(waitMs);
  return { status: 429, body: limitedBody(code, `${message} Retry after ${seconds} s.`), headers: { "retry-after": String(seconds) } };
}

/** The limits from the environment; null when RATE_LIMITS=off. */
export function postbackLimitsFromEnv(): PostbackLimits | null {
  const e = env();
  if (e.RATE_LIMITS === "off") return null;
  return { perIp: e.POSTBACK_FAILURES_PER_IP, perToken: e.POSTBACK_FAILURES_PER_TOKEN, blockSeconds: e.POSTBACK_BLOCK_SECONDS };
}
