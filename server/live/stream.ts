// A subscriber's stream: what it missed since its last event id (resume), then every batch the hub releases, as
// tracked(<last id>, <JSON of LiveEvent[]>) — the id is the cursor a reconnecting EventSource sends back
// (Last-Event-ID), so it resumes without a gap or a repeat on any instance. Each batch is one SSE message whose
// data the hub serialised once for every subscriber of the same view.
import { tracked } from "@trpc/server";
import type { SessionUser } from "../auth/types";
import type { LiveScope } from "./events";
import type { LiveHub } from "./hub";

export class LiveAccessError extends Error {}

export function scopeOf(user: Pick<SessionUser, "role" | "affiliateId" | "merchantId">): LiveScope {
  if (user.role === "MANAGER") return { role: "MANAGER" };
  if (user.role === "AFFILIATE" && user.affiliateId) return { role: "AFFILIATE", affiliateId: user.affiliateId };
  if (user.role === "MERCHANT" && user.merchantId) return { role: "MERCHANT", merchantId: user.merchantId };
  throw new LiveAccessError("This account has no live events to show.");
}

/** Batches a subscriber may fall behind by before it is cut off (it reconnects and resumes from its cursor). */
const MAX_QUEUED = 1_000;

export async function* liveEvents(hub: LiveHub, scope: LiveScope, lastEventId: string | null, signal: AbortSignal | undefined) {
  const queue: { lastId: string; json: string }[] = [];
  let wake: (() => void) | null = null;
  let overflow = false;
  const unsubscribe = hub.subscribe(scope, (batch) => {
    if (queue.length >= MAX_QUEUED) overflow = true;
    else queue.push(batch);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    let cursor = BigInt(lastEventId ?? hub.lastId);
    if (lastEventId !== null) {
      const missed = await hub.since(scope, lastEventId);
      cursor = BigInt(missed.lastId);
      // even when nothing was missed: the client learns the stream is up (and its cursor)
      yield tracked(missed.lastId, JSON.stringify(missed.events));
    } else {
      yield tracked(cursor.toString(), "[]"); // the starting cursor, so even a quiet stream resumes exactly
    }
    while (!signal?.aborted) {
      if (overflow) throw new Error("the stream fell too far behind; reconnecting resumes it");
      const batch = queue.shift();
      if (batch) {
        if (BigInt(batch.lastId) <= cursor) continue; // already in the resume
        cursor = BigInt(batch.lastId);
        yield tracked(batch.lastId, batch.json);
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener("abort", onAbort);
  }
}
