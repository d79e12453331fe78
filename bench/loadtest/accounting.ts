// Loss accounting at the end of a load test, pure: what the clients were told against what the database holds and
// what the webhook receivers got. Every difference is listed by id.

export interface Observed {
  /** Click ids from the Location of every 302, with when the answer came (ms since the start). */
  redirected: Map<string, number>;
  /** Postbacks answered "created": txn_id → conversion id. */
  created: Map<string, string>;
  /** Retries answered "duplicate" with a conversion id other than the original's (txn_ids). */
  mismatchedRetries: string[];
  /** Webhook event ids the healthy receiver got, with how many times. */
  delivered: Map<string, number>;
  /** Times (ms since the start) the app was killed with SIGKILL. */
  kills: number[];
}

export interface Stored {
  clickIds: Set<string>;
  /** Clicks the servers counted as dropped (`clicks_dropped_total`, last scrape of each incarnation). */
  droppedCounted: number;
  /** Conversions of the load test's merchant: txn_id → conversion ids (more than one: a duplicate). */
  conversions: Map<string, string[]>;
  /** Conversion id → number of its commissions of kind COMMISSION (adjustments not counted). */
  commissions: Map<string, number>;
  outboxEventIds: string[];
}

export interface Accounting {
  clicks: { redirected: number; stored: number; missing: number; droppedCounted: number; unflushedAtKill: number; lost: number; lostIds: string[]; unflushedIds: string[] };
  postbacks: { created: number; missingConversion: string[]; wrongConversion: string[]; duplicatedConversion: string[]; commissionNotOne: string[]; mismatchedRetries: string[] };
  webhooks: { events: number; delivered: number; undelivered: string[]; deliveredTwice: number };
  lost: number;
  duplicated: number;
}

/** How long before a SIGKILL a redirected click may still sit in the server's memory (CLICK_FLUSH_MS + a write). */
export const KILL_WINDOW_MS = 1_000;
const LIST = 50;

export function account(observed: Observed, stored: Stored): Accounting {
  const missingIds = [...observed.redirected.keys()].filter((id) => !stored.clickIds.has(id));
  const atKill = (id: string) => {
    const at = observed.redirected.get(id)!;
    return observed.kills.some((kill) => at <= kill && kill - at <= KILL_WINDOW_MS);
  };
  const unflushedIds = missingIds.filter(atKill);
  const unexplained = missingIds.filter((id) => !atKill(id));
  const lostClicks = Math.max(0, unexplained.length - stored.droppedCounted);

  const missingConversion: string[] = [];
  const wrongConversion: string[] = [];
  const duplicatedConversion: string[] = [];
  const commissionNotOne: string[] = [];
  for (const [txn, conversionId] of observed.created) {
    const ids = stored.conversions.get(txn) ?? [];
    if (ids.length === 0) missingConversion.push(txn);
    else if (!ids.includes(conversionId)) wrongConversion.push(txn);
    if (ids.length > 1) duplicatedConversion.push(txn);
    if (ids.length && (stored.commissions.get(conversionId) ?? 0) !== 1) commissionNotOne.push(txn);
  }
  const undelivered = stored.outboxEventIds.filter((id) => !observed.delivered.has(id));
  const deliveredTwice = [...observed.delivered.values()].filter((n) => n > 1).length;

  const lost = lostClicks + missingConversion.length + wrongConversion.length + undelivered.length;
  const duplicated = duplicatedConversion.length + commissionNotOne.length + observed.mismatchedRetries.length;
  return {
    clicks: {
      redirected: observed.redirected.size,
      stored: observed.redirected.size - missingIds.length,
      missing: missingIds.length,
      droppedCounted: stored.droppedCounted,
      unflushedAtKill: unflushedIds.length,
      lost: lostClicks,
      lostIds: lostClicks ? unexplained.slice(0, LIST) : [],
      unflushedIds: unflushedIds.slice(0, LIST),
    },
    postbacks: {
      created: observed.created.size,
      missingConversion,
      wrongConversion,
      duplicatedConversion,
      commissionNotOne,
      mismatchedRetries: observed.mismatchedRetries,
    },
    webhooks: { events: stored.outboxEventIds.length, delivered: stored.outboxEventIds.length - undelivered.length, undelivered: undelivered.slice(0, LIST), deliveredTwice },
    lost,
    duplicated,
  };
}
