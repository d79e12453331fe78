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
  /** For managers: names the IPs, customer ids and counts involved. */
  explanation: string;
  /**
   * The same without personal data (visitor IPs masked, customer ids left out): what the affiliate and the merchant
   * are told. The engine always sets it; a flag made elsewhere without it has no personal data in `explanation`.
   */
  publicExplanation?: string;
  /** For managers only. */
  evidence: Record<string, unknown>;
}

export interface FraudVerdict {
  score: number; // 0-100
  decision: "PASS" | "REVIEW" | "HOLD";
  flags: FraudFlagDraft[];
  /** Human reason shown to the affiliate when held ("held: <reason>"), without personal data. */
  reason: string | null;
}

/** The conversion's click as stored (its `clicks` row), for a click this process never counted. */
export interface StoredClick {
  at: Date;
  ip: string | null;
  userAgent: string | null;
  isBot: boolean;
}
