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
  /** Visitors per generation; memory is fixed: two tables of the next power of two ≥ 2 × maxKeys slots, 12 bytes each (12.6 MB for 250,000). */
  maxKeys?: number;
}

/** One generation: an open-addressing table of 32-bit fingerprints and last-seen times (0 marks an empty slot). */
class Generation {
  readonly fingerprints: Int32Array;
  readonly times: Float64Array;
  size = 0;
  since = -Infinity;

  constructor(slots: number) {
    this.fingerprints = new Int32Array(slots);
    this.times = new Float64Array(slots);
  }

  /** The slot holding `fingerprint`, or the empty slot where it would go (linear probing from `start`). */
  find(fingerprint: number, start: number, mask: number): number {
    let slot = start & mask;
    for (;;) {
      const f = this.fingerprints[slot]!;
      if (f === fingerprint || f === 0) return slot;
      slot = (slot + 1) & mask;
    }
  }

  reset(now: number): void {
    this.fingerprints.fill(0);
    this.size = 0;
    this.since = now;
  }
}

/**
 * "Same IP and user agent on the same link within the window". Two generations of fixed tables: lookups read both,
 * writes go to the current one, and the older is emptied and reused when the current is a window old, so every
 * visitor seen within the window is still found. When a flood fills the current generation early it rotates early
 * and the oldest visitors are forgotten sooner (a repeat may then count as new; never the reverse). No allocation
 * per click, whatever the traffic: a viral link's millions of distinct visitors cost the same fixed memory.
 * A visitor is a 64-bit hash of (link, IP, user agent): one half picks the slot, the other (its low bit forced to 1,
 * so 0 can mark an empty slot) is kept to compare, so two visitors are confused (one click marked as a repeat: its
 * flag only, never the redirect) with odds of about 1 in 10⁴ per click at a full generation.
 */
export class RepeatDetector {
  private current: Generation;
  private previous: Generation;
  private readonly mask: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor({ windowMs = 3_600_000, maxKeys = 250_000 }: RepeatOptions = {}) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
    let slots = 1024;
    while (slots < maxKeys * 2) slots *= 2;
    this.mask = slots - 1;
    this.current = new Generation(slots);
    this.previous = new Generation(slots);
  }

  /** Visitors held, both generations together. */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** Records the click and tells whether the same visitor clicked this link within the window before it. */
  seen(linkId: number, ip: string | null, userAgent: string | null, now: number): boolean {
    if (now - this.current.since >= this.windowMs || this.current.size >= this.maxKeys) {
      [this.previous, this.current] = [this.current, this.previous];
      this.current.reset(now);
    }
    visitorHash(linkId, ip ?? "", userAgent ?? "");
    const fingerprint = hash[0]! | 1; // never 0, the empty mark
    const start = hash[1]!;
    let last: number | undefined;
    const old = this.previous.find(fingerprint, start, this.mask);
    if (this.previous.fingerprints[old] === fingerprint) last = this.previous.times[old];
    const slot = this.current.find(fingerprint, start, this.mask);
    if (this.current.fingerprints[slot] === fingerprint) last = this.current.times[slot];
    else {
      this.current.fingerprints[slot] = fingerprint;
      this.current.size++;
    }
    this.current.times[slot] = now;
    return last !== undefined && now - last < this.windowMs;
  }
}

/** The two 32-bit halves of the last visitorHash. */
const hash = new Int32Array(2);

/** cyrb53-style hash of (link, ip, ua) into `hash`, without building the concatenated string. */
function visitorHash(linkId: number, ip: string, ua: string): void {
  let h1 = 0xdeadbeef ^ linkId;
  let h2 = 0x41c6ce57 ^ linkId;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ 0x7c, 2654435761); // separator, so ("a","bc") differs from ("ab","c")
  h2 = Math.imul(h2 ^ 0x7c, 1597334677);
  for (let i = 0; i < ua.length; i++) {
    const c = ua.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  hash[0] = h1;
  hash[1] = h2;
}
