// In-process stream of accepted clicks, for consumers that must see traffic as it happens (fraud counters)
// without querying the database. Clicks are delivered in batches after the responses that produced them: the
// redirect only appends to an array, and one setImmediate per event-loop turn hands everything that arrived in
// that turn to the listeners (in arrival order). Listeners must not throw or block; a throwing listener is logged
// and delivery goes on.
import { errorLine } from "../log";

export interface ClickEvent {
  clickId: string;
  linkId: number;
  affiliateId: string;
  offerId: string;
  at: number; // epoch ms
  ip: string | null;
  userAgent: string | null;
  isBot: boolean;
  isRepeat: boolean;
  billable: boolean;
}

type Listener = (click: ClickEvent) => void;
const listeners = new Set<Listener>();
let pending: ClickEvent[] = [];
let scheduled = false;

export function onClick(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Queues the click for the listeners; O(1) on the redirect path. */
export function emitClick(click: ClickEvent): void {
  if (listeners.size === 0) return;
  pending.push(click);
  if (!scheduled) {
    scheduled = true;
    setImmediate(deliverClickEvents);
  }
}

/** Hands every queued click to the listeners now (also what the scheduled delivery runs). */
export function deliverClickEvents(): void {
  scheduled = false;
  const batch = pending;
  if (batch.length === 0) return;
  pending = [];
  for (const listener of listeners) {
    for (let i = 0; i < batch.length; i++) {
      try {
        listener(batch[i]!);
      } catch (error) {
        errorLine(`[clicks] listener failed: ${(error as Error).message}`);
      }
    }
  }
}
