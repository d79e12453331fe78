// What the live stream carries (pure). Rows of live_events are written by triggers in the fact's own transaction
// (migration 20261204300000_live_events) and by each instance's per-second click summaries (clicks.ts); the hub
// (hub.ts) reads them by id and hands each subscriber what its role may see:
//   - managers: every event, as written (fraud flags with their full explanations);
//   - affiliates: rows whose affiliateId is theirs (their clicks, accepted sales, commission changes), without
//     fraud scores, flags or the merchant's texts;
//   - merchants: rows whose merchantId is theirs (their postbacks with the reason, webhook attempts, their offers'
//     clicks and commissions), without the affiliate's identity beyond the link and the fraud evidence.

export type LiveKind = "clicks" | "postback" | "commission" | "fraud.flag" | "webhook" | "payout";

export interface LiveRow {
  /** live_events.id as a decimal string (bigint): the SSE event id. */
  id: string;
  kind: LiveKind;
  affiliateId: string | null;
  merchantId: string | null;
  data: Record<string, unknown>;
  /** Epoch ms of the writing transaction. */
  at: number;
}

/** The event as a subscriber receives it (row scope columns dropped). */
export interface LiveEvent {
  id: string;
  kind: LiveKind;
  at: number;
  data: Record<string, unknown>;
}

export type LiveScope = { role: "MANAGER" } | { role: "AFFILIATE"; affiliateId: string } | { role: "MERCHANT"; merchantId: string };

/** One key per distinct view, so a batch is filtered and serialised once for all subscribers sharing it. */
export function scopeKey(scope: LiveScope): string {
  return scope.role === "MANAGER" ? "m" : scope.role === "AFFILIATE" ? `a:${scope.affiliateId}` : `s:${scope.merchantId}`;
}

export function visibleTo(scope: LiveScope, row: LiveRow): boolean {
  if (scope.role === "MANAGER") return true;
  if (scope.role === "AFFILIATE") return row.affiliateId === scope.affiliateId;
  return row.merchantId === scope.merchantId;
}

const AFFILIATE_CONVERSION_FIELDS = ["id", "status", "linkId", "linkSlug", "offerId", "offerName", "amountMinor", "currency", "clickedAt", "createdAt"] as const;
const MERCHANT_CONVERSION_FIELDS = [...AFFILIATE_CONVERSION_FIELDS, "txnId"] as const;

function pick(source: unknown, keys: readonly string[]): Record<string, unknown> | null {
  if (!source || typeof source !== "object") return null;
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in source) out[key] = (source as Record<string, unknown>)[key];
  return out;
}

function publicCommission(commission: unknown) {
  return pick(commission, ["amountMinor", "currency", "status", "heldReason"]);
}

/** Affiliates learn that a commission is under review, never the fraud rule's detail (managers see it). */
function affiliateCommission(commission: Record<string, unknown> | null) {
  return commission?.heldReason ? { ...commission, heldReason: "under review" } : commission;
}

/** The event as `scope` may see it (assumes visibleTo). */
export function viewFor(scope: LiveScope, row: LiveRow): LiveEvent {
  const base = { id: row.id, kind: row.kind, at: row.at };
  if (scope.role === "MANAGER") return { ...base, data: row.data };
  const d = row.data;
  switch (row.kind) {
    case "postback": {
      const conv = d.conversion as Record<string, unknown> | null;
      if (scope.role === "AFFILIATE") {
        return {
          ...base,
          data: {
            outcome: d.outcome,
            reasonCode: d.reasonCode,
            conversion: conv && { ...pick(conv, AFFILIATE_CONVERSION_FIELDS), commission: affiliateCommission(publicCommission(conv.commission)) },
          },
        };
      }
      return {
        ...base,
        data: {
          logId: d.logId,
          outcome: d.outcome,
          reasonCode: d.reasonCode,
          message: d.message,
          httpStatus: d.httpStatus,
          txnId: d.txnId,
          receivedAt: d.receivedAt,
          conversion: conv && { ...pick(conv, MERCHANT_CONVERSION_FIELDS), commission: publicCommission(conv.commission) },
        },
      };
    }
    case "commission": {
      const data = pick(d, ["commissionId", "conversionId", "status", "previous", "kind", "amountMinor", "currency", "heldReason"])!;
      return { ...base, data: scope.role === "AFFILIATE" ? affiliateCommission(data)! : data };
    }
    case "clicks":
      return { ...base, data: pick(d, ["second", "offerId", "clicks", "billable"])! };
    case "webhook":
      return { ...base, data: d };
    default:
      return { ...base, data: {} }; // fraud flags and payout runs are written for managers only
  }
}
