// Outbox event payloads. Each is self-contained JSON (the webhook relay sends it as the envelope's `data` without
// reading anything else), snake_case like most webhook APIs, amounts as integer minor units plus the exact decimal.
// The event id (`evt_…`) is generated here so a payload can be written in the same statement as its row; it is
// also the Standard Webhooks message id.
import { randomUUID } from "node:crypto";
import { minorToDecimal } from "../money";
import type { NewConversion, OutboxDraft } from "./store";

export type EventType = "conversion.created" | "commission.created" | "conversion.reversed" | "commission.reversed" | "fraud.flagged";

export function eventId(): string {
  return `evt_${randomUUID().replaceAll("-", "")}`;
}

export function event(type: EventType, payload: Record<string, unknown>): OutboxDraft {
  return { id: eventId(), type, payload };
}

const money = (amountMinor: number, currency: string) => ({ amount_minor: amountMinor, amount: minorToDecimal(amountMinor, currency), currency });

/** What a conversion event tells: the conversion as written, without the fraud and network details. */
export type ConversionFacts = Omit<NewConversion, "status" | "ip" | "touchPath" | "fraudScore" | "fraudDecision"> & { status: string };

export function conversionPayload(c: ConversionFacts) {
  return {
    conversion: {
      id: c.id,
      merchant_id: c.merchantId,
      offer_id: c.offerId,
      affiliate_id: c.affiliateId,
      link_id: c.linkId,
      click_id: c.clickId,
      clicked_at: c.clickedAt.toISOString(),
      txn_id: c.txnId,
      event: c.event,
      customer_id: c.customerId,
      ...money(c.amountMinor, c.currency),
      status: c.status.toLowerCase(),
      sub1: c.subs[0] ?? null,
      sub2: c.subs[1] ?? null,
      sub3: c.subs[2] ?? null,
      sub4: c.subs[3] ?? null,
      sub5: c.subs[4] ?? null,
      created_at: c.createdAt.toISOString(),
    },
  };
}

export interface CommissionFacts {
  id: string;
  kind: "COMMISSION" | "ADJUSTMENT";
  conversionId: string;
  txnId: string;
  affiliateId: string;
  offerId: string;
  amountMinor: number;
  currency: string;
  status: string;
  calculation: string;
  holdUntil: Date | null;
  heldReason: string | null;
}

export function commissionPayload(k: CommissionFacts) {
  return {
    commission: {
      id: k.id,
      kind: k.kind.toLowerCase(),
      conversion_id: k.conversionId,
      txn_id: k.txnId,
      affiliate_id: k.affiliateId,
      offer_id: k.offerId,
      ...money(k.amountMinor, k.currency),
      status: k.status.toLowerCase(),
      calculation: k.calculation,
      hold_until: k.holdUntil?.toISOString() ?? null,
      held_reason: k.heldReason,
    },
  };
}
