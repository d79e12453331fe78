import { readFile } from "node:fs/promises";
import { type Locator, expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// Runs after every other spec (see playwright.config.ts): a payout run pays the whole program's approved
// commissions, which would change what the other specs look at.
test("an affiliate fills in payout and tax details; a manager pays the PayPal lane, one payout fails, the affiliate sees it", async ({ page, browser }) => {
  const affiliate = await browser.newPage();
  await signIn(affiliate, "affiliate@demo.test");
  await affiliate.getByRole("link", { name: "Payouts" }).click();
  await expect(affiliate.getByRole("heading", { name: "Payout settings" })).toBeVisible();

  // A bank account with a wrong IBAN is refused with the reason; then PayPal and a W-8BEN are saved.
  await affiliate.getByLabel("Method").selectOption("BANK_TRANSFER");
  await affiliate.getByLabel("Account holder").fill("Petal Post GmbH");
  await affiliate.getByRole("textbox", { name: "IBAN", exact: true }).fill("DE89 3704 0044 0532 0130 01");
  await affiliate.getByRole("textbox", { name: "BIC", exact: true }).fill("COBADEFFXXX");
  await affiliate.getByRole("button", { name: "Save payout settings" }).click();
  await expect(affiliate.getByText("This IBAN is not valid (its check digits do not match).")).toBeVisible();

  await affiliate.getByLabel("Method").selectOption("PAYPAL");
  await affiliate.getByLabel("PayPal email").fill("payouts@petalpost.example");
  await affiliate.getByLabel("Tax form").selectOption("W8BEN");
  await affiliate.getByLabel("Country (two letters)").fill("DE");
  await affiliate.getByLabel("Legal name").fill("Petal Post GmbH");
  await affiliate.getByLabel("Tax identification number").fill("DE123456789");
  await affiliate.getByRole("button", { name: "Save payout settings" }).click();
  await expect(affiliate.getByText("Saved. The next payout run uses these details.")).toBeVisible();
  await expect(affiliate.getByTestId("payout-status")).toContainText("payable");
  await expect(affiliate.getByLabel("Tax identification number")).toHaveAttribute("placeholder", /•••• 6789 on file/);

  await signIn(page, "manager@demo.test");
  await page.getByRole("link", { name: "Payouts" }).click();
  await expect(page.getByRole("heading", { name: "Payouts" })).toBeVisible();
  await expect(page.getByTestId("payable-EUR")).toContainText("€");
  // The demo affiliate without a tax form is shown as not payable, with the reason.
  await expect(page.getByRole("table", { name: "Not payable" })).toContainText("not payable: tax information");

  page.on("dialog", (dialog) => void (dialog.type() === "prompt" ? dialog.accept("PayPal account closed") : dialog.accept()));
  await page.getByRole("button", { name: "Create payout run" }).click();
  const lanes = page.getByRole("table", { name: "Lanes" });
  const paypalEur = lanes.getByRole("row").filter({ hasText: "PayPal EUR" });
  const status = (row: Locator) => row.getByRole("cell").nth(1);
  await expect(status(paypalEur)).toHaveText("draft");
  await expect(page.getByRole("table", { name: "Carried over" })).toContainText("Tech Gift Finder");

  await paypalEur.getByRole("button", { name: "Approve" }).click();
  await expect(status(paypalEur)).toHaveText("approved");
  // Another lane is untouched by this one.
  await expect(status(lanes.getByRole("row").filter({ hasText: "Wise USD" }))).toHaveText("draft");

  const downloading = page.waitForEvent("download");
  await paypalEur.getByRole("button", { name: "Download PayPal file" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^payouts-paypal-eur-.*\.csv$/);
  const file = await readFile((await download.path())!, "utf8");
  expect(file).toMatch(/^payouts@petalpost\.example,\d+\.\d{2},EUR,PO\d+,.*,PAYPAL$/m);
  await expect(status(paypalEur)).toHaveText("exported");

  await paypalEur.getByRole("button", { name: "Mark sent" }).click();
  await expect(status(paypalEur)).toHaveText("sent");
  await paypalEur.getByRole("button", { name: "Payouts" }).click();
  const payouts = page.getByRole("table", { name: "Payouts in lane" });
  const mine = payouts.getByRole("row").filter({ hasText: "Petal Post" });
  await expect(mine).toContainText("PayPal pa•••@petalpost.example");
  await mine.getByRole("button", { name: "Failed…" }).click();
  await expect(mine).toContainText("PayPal account closed");
  await paypalEur.getByRole("button", { name: "Mark remaining paid" }).click();
  await expect(status(paypalEur)).toHaveText("settled");
  await expect(payouts.getByRole("row").filter({ hasText: "paid" }).first()).toBeVisible();

  // The affiliate sees the failed payout with its reason, and the amount is back for the next run.
  await affiliate.reload();
  const history = affiliate.getByRole("table", { name: "Payouts" });
  await expect(history.getByRole("row").nth(1)).toContainText("failed");
  await expect(history.getByRole("row").nth(1)).toContainText("PayPal account closed");
});
