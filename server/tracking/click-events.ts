// In-process stream of accepted clicks, for consumers that must see traffic as it happens (fraud counters)
// without querying the database. Listeners run synchronously on the redirect path: they must be O(1) and
// never throw or block.
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

export function onClick(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitClick(click: ClickEvent): void {
  for (const listener of listeners) {
    try {
      listener(click);
    } catch (error) {
      console.error("[clicks] listener failed:", (error as Error).message);
    }
  }
}
