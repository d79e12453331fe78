import { type Locator, expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// Runs after every other spec (see playwright.config.ts): a payout run pays the whole program's approved
// commissions, which would change what the other specs look at.
test("the manager pays approved commissions in a run and the affiliate sees the payout", async ({ page, browser }) => {
  const affiliate = await browser.newPage();
  await signIn(affiliate, "affiliate@demo.test");
  const affiliatePayouts = affiliate.getByRole("table", { name: "Payouts" });
  await expect(affiliatePayouts.getByRole("row").nth(1)).toBeVisible(); // the seeded run paid them already
  const payoutsBefore = await affiliatePayouts.getByRole("row").count();

  await signIn(page, "manager@demo.test");
  await page.getByRole("link", { name: "Payouts" }).click();
  await expect(page.getByRole("heading", { name: "Payouts" })).toBeVisible();
  await expect(page.getByTestId("payable-EUR")).toContainText("€");

  const runs = page.getByRole("table", { name: "Payout runs" });
  // The status cell, not the row: the row's "Mark paid" button also contains "paid".
  const status = (row: Locator) => row.getByRole("cell").nth(1);
  await expect(status(runs.getByRole("row").nth(1))).toHaveText("paid"); // the seeded run
  const runsBefore = await runs.getByRole("row").count();
  await page.getByRole("button", { name: "Create payout run" }).click();
  await expect(runs.getByRole("row")).toHaveCount(runsBefore + 1);
  const newest = runs.getByRole("row").nth(1);
  await expect(status(newest)).toHaveText("draft");
  await expect(page.getByRole("table", { name: "Payouts in run" }).getByRole("row").nth(1)).toBeVisible();

  page.on("dialog", (dialog) => void dialog.accept());
  await newest.getByRole("button", { name: "Approve" }).click();
  await expect(status(newest)).toHaveText("approved");
  await newest.getByRole("button", { name: "Mark paid" }).click();
  await expect(status(newest)).toHaveText("paid");
  await expect(page.getByText("Nothing to pay")).toBeVisible();

  // One payout per currency the demo affiliate had approved commissions in.
  await affiliate.reload();
  await expect.poll(() => affiliatePayouts.getByRole("row").count()).toBeGreaterThan(payoutsBefore);
  await expect(status(affiliatePayouts.getByRole("row").nth(1))).toHaveText("paid");
});
