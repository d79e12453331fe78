// An affiliate's payout details and tax information: what each method needs, validated (IBAN mod-97, BIC shape,
// ABA routing checksum, emails), masked for display, and the one rule that decides whether a run may pay them
// (`payoutBlocker`). Pure and without Node imports: the affiliate's form uses the same schemas and messages.
import { z } from "zod";

export const PAYOUT_METHODS = ["PAYPAL", "BANK_TRANSFER", "WISE"] as const;
export type PayoutMethodName = (typeof PAYOUT_METHODS)[number];
export const PAYOUT_METHOD_LABEL: Record<PayoutMethodName, string> = { PAYPAL: "PayPal", BANK_TRANSFER: "Bank transfer", WISE: "Wise" };

/** ISO 13616: move the first four characters to the end, letters → 10..35, the number mod 97 must be 1. */
export function ibanChecksumOk(iban: string): boolean {
  const compact = iban.replace(/\s+/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = (value >= 10 ? remainder * 100 + value : remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

/** ABA routing number: 9 digits, 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) ≡ 0 (mod 10). */
export function abaChecksumOk(routing: string): boolean {
  if (!/^\d{9}$/.test(routing)) return false;
  const d = [...routing].map(Number);
  return (3 * (d[0]! + d[3]! + d[6]!) + 7 * (d[1]! + d[4]! + d[7]!) + (d[2]! + d[5]! + d[8]!)) % 10 === 0;
}

const holder = z.string().trim().min(2, { error: "The account holder's name, as the bank or provider knows it." }).max(140, { error: "At most 140 characters." });
const email = z.string().trim().toLowerCase().pipe(z.email({ error: "A valid email address, e.g. name@example.com." }));

const compactUpper = (s: string) => s.replace(/\s+/g, "").toUpperCase();

export const paypalDetails = z.object({ method: z.literal("PAYPAL"), email });
export const bankDetails = z.discriminatedUnion("scheme", [
  z.object({
    method: z.literal("BANK_TRANSFER"),
    scheme: z.literal("IBAN"),
    holder,
    iban: z.string().transform(compactUpper).refine(ibanChecksumOk, { error: "This IBAN is not valid (its check digits do not match)." }),
    bic: z
      .string()
      .transform(compactUpper)
      .refine((v) => /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(v), { error: "A BIC has 8 or 11 characters, e.g. DEUTDEFF or DEUTDEFF500." }),
  }),
  z.object({
    method: z.literal("BANK_TRANSFER"),
    scheme: z.literal("ACCOUNT"),
    holder,
    accountNumber: z.string().trim().regex(/^\d{4,17}$/, { error: "An account number has 4 to 17 digits." }),
    routingNumber: z.string().trim().refine(abaChecksumOk, { error: "This routing number is not valid (9 digits with a matching check digit)." }),
  }),
]);
export const wiseDetails = z.discriminatedUnion("scheme", [
  z.object({ method: z.literal("WISE"), scheme: z.literal("EMAIL"), holder, email }),
  z.object({
    method: z.literal("WISE"),
    scheme: z.literal("RECIPIENT_ID"),
    holder,
    recipientId: z.string().trim().regex(/^\d{1,20}$/, { error: "A Wise recipient id is a number (from your Wise account's recipient list)." }),
  }),
]);

export const payoutDetailsInput = z.union([paypalDetails, bankDetails, wiseDetails]);
export type PayoutDetails = z.infer<typeof payoutDetailsInput>;

const COUNTRY = /^[A-Z]{2}$/;
const taxFields = z.object({
    form: z.enum(["W9", "W8BEN"]),
    legalName: z.string().trim().min(2, { error: "The legal name on the tax form." }).max(140, { error: "At most 140 characters." }),
    country: z.string().trim().toUpperCase().regex(COUNTRY, { error: "Two-letter country code, e.g. US or DE." }),
    taxId: z.string().trim().min(4, { error: "Your tax identification number (SSN/EIN for a W-9, your country's TIN for a W-8BEN)." }).max(30, { error: "At most 30 characters." }),
    /** The date the affiliate signed the form (YYYY-MM-DD), not in the future. */
    signedAt: z.iso.date({ error: "The signature date, YYYY-MM-DD." }),
});
export const taxInfoInput = taxFields.superRefine((tax, ctx) => {
    if (tax.form === "W9" && tax.country !== "US") ctx.addIssue({ code: "custom", path: ["form"], message: "A W-9 is for US persons; everyone else signs a W-8BEN." });
    if (tax.form === "W8BEN" && tax.country === "US") ctx.addIssue({ code: "custom", path: ["form"], message: "US persons sign a W-9, not a W-8BEN." });
    if (tax.form === "W9" && !/^\d{3}-?\d{2}-?\d{4}$|^\d{2}-?\d{7}$/.test(tax.taxId)) {
      ctx.addIssue({ code: "custom", path: ["taxId"], message: "A W-9 needs an SSN (123-45-6789) or an EIN (12-3456789)." });
    }
    if (tax.signedAt > new Date().toISOString().slice(0, 10)) ctx.addIssue({ code: "custom", path: ["signedAt"], message: "The signature date cannot be in the future." });
  });
export type TaxInfo = z.infer<typeof taxInfoInput>;

export const payoutCurrencyInput = z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/, { error: "A three-letter currency code, e.g. EUR." });

export const payoutSettingsInput = z.object({ details: payoutDetailsInput, currency: payoutCurrencyInput, tax: taxInfoInput });
export type PayoutSettingsInput = z.infer<typeof payoutSettingsInput>;

/** The affiliate's form: as payoutSettingsInput, but an empty tax id keeps the one on file (never sent back). */
export const payoutSettingsFormInput = z.object({
  details: payoutDetailsInput,
  currency: payoutCurrencyInput,
  tax: taxFields.extend({ taxId: z.string().trim().max(30, { error: "At most 30 characters." }) }),
});
export type PayoutSettingsFormInput = z.infer<typeof payoutSettingsFormInput>;

/** "•••• 6789": only the last four characters are ever shown. */
export function maskTail(value: string, keep = 4): string {
  const compact = value.replace(/[\s-]/g, "");
  return compact.length <= keep ? "••••" : `•••• ${compact.slice(-keep)}`;
}

/** "jo•••@example.com" */
export function maskEmail(value: string): string {
  const [user = "", domain = ""] = value.split("@");
  return `${user.slice(0, 2)}•••@${domain}`;
}

/** One line a manager can check a payout against, without the full account number. */
export function describeDetails(details: PayoutDetails): string {
  switch (details.method) {
    case "PAYPAL":
      return `PayPal ${maskEmail(details.email)}`;
    case "BANK_TRANSFER":
      return details.scheme === "IBAN"
        ? `IBAN ${details.iban.slice(0, 2)}${maskTail(details.iban).replace("••••", "…")} · BIC ${details.bic}`
        : `Account ${maskTail(details.accountNumber)} · routing ${details.routingNumber}`;
    case "WISE":
      return details.scheme === "EMAIL" ? `Wise ${maskEmail(details.email)}` : `Wise recipient ${maskTail(details.recipientId)}`;
  }
}

/** What the provider file addresses the money to, and the rest of what it needs. */
export function recipientOf(details: PayoutDetails): { name: string; recipient: string; extra: Record<string, string> } {
  switch (details.method) {
    case "PAYPAL":
      return { name: "", recipient: details.email, extra: {} };
    case "BANK_TRANSFER":
      return details.scheme === "IBAN"
        ? { name: details.holder, recipient: details.iban, extra: { bic: details.bic } }
        : { name: details.holder, recipient: details.accountNumber, extra: { routingNumber: details.routingNumber } };
    case "WISE":
      return details.scheme === "EMAIL"
        ? { name: details.holder, recipient: details.email, extra: { recipientType: "email" } }
        : { name: details.holder, recipient: details.recipientId, extra: { recipientType: "id" } };
  }
}

/**
 * Why a run cannot pay this affiliate (null: payable). Stored in affiliates.payoutBlocker by every write of
 * their details, so a run decides in SQL. Suspension is checked by the run itself (affiliates.active).
 */
export function payoutBlocker(method: string, details: unknown, tax: unknown): string | null {
  const d = payoutDetailsInput.safeParse(details);
  const t = taxInfoInput.safeParse(tax);
  if (!d.success && !t.success) return "no payout details or tax information on file";
  if (!d.success) return "payout details missing or incomplete";
  if (d.data.method !== method) return "payout details do not match the payout method";
  if (!t.success) return "tax information (W-9 or W-8BEN) missing or incomplete";
  return null;
}
