// The types of the seam between the conversion transaction and the fraud engine (re-exported by ./index).

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
  /** The merchant's transaction id: with the click id, keeps a retried evaluation from being counted twice. */
  txnId?: string;
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
