// The seam between the conversion transaction (server/conversions) and fraud detection (this folder).
// The postback path calls `evaluateConversion` inside its transaction, before writing the commission; the result
// decides the commission's status (HOLD → HELD with `heldReason`) and which flags to write with it.
// Until the rules land this passes everything.

export interface ConversionCandidate {
  merchantId: string;
  offerId: string;
  affiliateId: string;
  linkId: number;
  clickId: string;
  clickedAt: Date;
  receivedAt: Date;
  customerId: string | null;
  /** The customer's IP when the merchant sends it (postback `ip`), else null. */
  ip: string | null;
  amountMinor: number;
  currency: string;
}

export interface FraudFlagDraft {
  code: string;
  severity: number;
  explanation: string;
  evidence: Record<string, unknown>;
}

export interface FraudVerdict {
  score: number; // 0-100
  decision: "PASS" | "REVIEW" | "HOLD";
  flags: FraudFlagDraft[];
  /** Human reason shown to the affiliate when held ("held: <reason>"). */
  reason: string | null;
}

export function evaluateConversion(_candidate: ConversionCandidate): FraudVerdict {
  return { score: 0, decision: "PASS", flags: [], reason: null };
}
