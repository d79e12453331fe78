// Who is clicking: bot detection (the maintained `isbot` pattern list) and repeat detection, both in memory and
// O(1) per click so the redirect never waits on anything.
import { isbot } from "isbot";

const BOT_CACHE_MAX = 10_000;
const botCache = new Map<string, boolean>();

/** isbot() costs ~2 µs on a browser user agent; real traffic repeats a few thousand strings, so answers are kept. */
export function isBotAgent(userAgent: string | null): boolean {
  if (!userAgent) return false;
  let answer = botCache.get(userAgent);
  if (answer === undefined) {
    answer = isbot(userAgent);
    if (botCache.size >= BOT_CACHE_MAX) botCache.clear();
    botCache.set(userAgent, answer);
  }
  return answer;
}

export interface RepeatOptions {
  windowMs?: number;
  /** Keys per generation; memory stays under 2 × maxKeys small entries whatever the traffic. */
  maxKeys?: number;
}

/**
 * "Same IP and user agent on the same link within the window". Two generations of Map<hash, last seen>: lookups
 * read both, writes go to the current one, and the older is dropped when the current is a window old, so every
 * key seen within the window is still found. When a flood fills the current generation early it rotates early and
 * the oldest keys are forgotten sooner (a repeat may then count as new; never the reverse).
 * Keys are a 53-bit hash of link, IP and user agent: a collision (odds ~1e-5 at 500k keys) marks one click as a
 * repeat, which only affects its flag, never the redirect.
 */
export class RepeatDetector {
  private current = new Map<number, number>();
  private previous = new Map<number, number>();
  private currentSince = -Infinity;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor({ windowMs = 3_600_000, maxKeys = 250_000 }: RepeatOptions = {}) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
  }

  /** Records the click and tells whether the same visitor clicked this link within the window before it. */
  seen(linkId: number, ip: string | null, userAgent: string | null, now: number): boolean {
    if (now - this.currentSince >= this.windowMs || this.current.size >= this.maxKeys) {
      this.previous = this.current;
      this.current = new Map();
      this.currentSince = now;
    }
    const key = visitorHash(linkId, ip ?? "", userAgent ?? "");
    const last = this.current.get(key) ?? this.previous.get(key);
    this.current.set(key, now);
    return last !== undefined && now - last < this.windowMs;
  }
}

/** cyrb53-style hash of (link, ip, ua) without building the concatenated string. */
function visitorHash(linkId: number, ip: string, ua: string): number {
  let h1 = 0xdeadbeef ^ linkId;
  let h2 = 0x41c6ce57 ^ linkId;
  const mix = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ 0x7c, 2654435761); // separator, so ("a","bc") differs from ("ab","c")
    h2 = Math.imul(h2 ^ 0x7c, 1597334677);
  };
  mix(ip);
  mix(ua);
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
