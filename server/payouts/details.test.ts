import { describe, expect, it } from "vitest";
import { abaChecksumOk, describeDetails, ibanChecksumOk, maskTail, payoutBlocker, payoutDetailsInput, taxInfoInput } from "./details";
import { parseResultFile } from "./result-file";

const tax = { form: "W9", legalName: "Jo Smith", country: "US", taxId: "123-45-6789", signedAt: "2026-01-02" };

describe("payout details", () => {
  it("checks IBANs with mod-97 and routing numbers with the ABA checksum", () => {
    expect(ibanChecksumOk("DE89 3704 0044 0532 0130 00")).toBe(true);
    expect(ibanChecksumOk("GB82WEST12345698765432")).toBe(true);
    expect(ibanChecksumOk("DE89 3704 0044 0532 0130 01")).toBe(false);
    expect(ibanChecksumOk("DE89")).toBe(false);
    expect(abaChecksumOk("021000021")).toBe(true);
    expect(abaChecksumOk("021000022")).toBe(false);
  });

  it("validates each method and names what is wrong", () => {
    const bad = payoutDetailsInput.safeParse({ method: "BANK_TRANSFER", scheme: "IBAN", holder: "Jo", iban: "DE89370400440532013000", bic: "COBA" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message)).toContain("A BIC has 8 or 11 characters, e.g. DEUTDEFF or DEUTDEFF500.");
    expect(payoutDetailsInput.safeParse({ method: "WISE", scheme: "RECIPIENT_ID", holder: "Jo Smith", recipientId: "12345678" }).success).toBe(true);
    expect(payoutDetailsInput.safeParse({ method: "PAYPAL", email: "not-an-email" }).success).toBe(false);
  });

  it("matches the tax form to the country and masks the tax id", () => {
    expect(taxInfoInput.safeParse(tax).success).toBe(true);
    expect(taxInfoInput.safeParse({ ...tax, country: "DE" }).error!.issues[0]!.message).toBe("A W-9 is for US persons; everyone else signs a W-8BEN.");
    expect(taxInfoInput.safeParse({ ...tax, signedAt: "2999-01-01" }).success).toBe(false);
    expect(maskTail("123-45-6789")).toBe("•••• 6789");
    expect(describeDetails({ method: "BANK_TRANSFER", scheme: "ACCOUNT", holder: "Jo", accountNumber: "12345678", routingNumber: "021000021" })).toBe("Account •••• 5678 · routing 021000021");
  });

  it("says why an affiliate cannot be paid", () => {
    expect(payoutBlocker("PAYPAL", { method: "PAYPAL", email: "jo@example.com" }, tax)).toBeNull();
    expect(payoutBlocker("PAYPAL", {}, {})).toBe("no payout details or tax information on file");
    expect(payoutBlocker("PAYPAL", { method: "PAYPAL", email: "jo@example.com" }, {})).toBe("tax information (W-9 or W-8BEN) missing or incomplete");
    expect(payoutBlocker("WISE", { method: "PAYPAL", email: "jo@example.com" }, tax)).toBe("payout details do not match the payout method");
  });
});

describe("provider result files", () => {
  it("reads references and outcomes, leaves pending rows sent, and refuses unknown statuses with line numbers", () => {
    expect(parseResultFile("\uFEFFCustomer ID,Status,Reason\nPO1,Completed,\npo2,Denied,Account locked\nPO3,Unclaimed,\n")).toEqual({
      settlements: [{ payout: "PO1", outcome: "paid" }, { payout: "PO2", outcome: "failed", reason: "Account locked" }],
      waiting: 1,
    });
    expect(() => parseResultFile("Reference,Status\nPO1,Maybe\n")).toThrow(expect.objectContaining({ lines: [{ line: 2, message: "unknown status “Maybe”" }] }));
    expect(() => parseResultFile("email,amount\nx,1\n")).toThrow(/must name the columns/);
  });
});
