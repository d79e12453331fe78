import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// On Stackwise's offer and a non-demo affiliate, and undone at the end: other specs send postbacks on Bloom's offers.
test("the manager sets an offer's tiers and an affiliate's override, with clear errors, then removes them", async ({ page }) => {
  await signIn(page, "manager@demo.test");
  await page.getByRole("link", { name: "Rates" }).click();
  await page.getByLabel("Offer").selectOption({ label: "Stackwise · Stackwise Pro (annual)" });
  await expect(page.getByTestId("offer-rate")).toHaveText("20% of the sale");

  const tiers = page.getByRole("form", { name: "Volume tiers" });
  await tiers.getByRole("button", { name: "Add tier" }).click();
  await tiers.getByLabel("Tier 1: from conversions").fill("50");
  await tiers.getByLabel("Tier 1: rate").fill("150");
  await tiers.getByRole("button", { name: "Save tiers" }).click();
  await expect(tiers.getByRole("alert")).toHaveText("Tier from 50 conversions: a percentage from 0 to 100");
  await tiers.getByLabel("Tier 1: rate").fill("22.5");
  await tiers.getByRole("button", { name: "Save tiers" }).click();
  await expect(tiers.getByRole("status")).toHaveText("Tiers saved.");

  const override = page.getByRole("form", { name: "Set an override" });
  await override.getByLabel("Affiliate").selectOption({ label: "DevTools Digest" });
  await override.getByLabel("Override rate").fill("25");
  await override.getByRole("button", { name: "Set override" }).click();
  const overrides = page.getByRole("table", { name: "Overrides" });
  await expect(overrides.getByRole("row").filter({ hasText: "DevTools Digest" })).toContainText("25% of the sale");

  page.on("dialog", (dialog) => void dialog.accept());
  await overrides.getByRole("row").filter({ hasText: "DevTools Digest" }).getByRole("button", { name: "Remove" }).click();
  await expect(page.getByText("No overrides: every affiliate is paid by the tiers and the offer's rate.")).toBeVisible();
  await tiers.getByRole("button", { name: "Remove" }).click();
  await tiers.getByRole("button", { name: "Save tiers" }).click();
  await expect(tiers.getByText("No tiers: every conversion pays the offer's rate.")).toBeVisible();
  await expect(tiers.getByRole("status")).toHaveText("Tiers saved.");
});

test("the manager adds an exchange rate: a malformed one is refused with the reason, a valid one is listed", async ({ page }) => {
  await signIn(page, "manager@demo.test");
  await page.getByRole("link", { name: "Rates" }).click();
  const pairs = page.getByRole("table", { name: "Latest rate per pair" });
  await expect(pairs.getByRole("row").filter({ hasText: "EUR/USD" })).toContainText("today"); // seeded daily

  const form = page.getByRole("form", { name: "Add an exchange rate" });
  await form.getByLabel("Base").selectOption("EUR");
  await form.getByLabel("Quote").selectOption("GBP");
  await form.getByLabel("Rate").fill("0,8571");
  await form.getByRole("button", { name: "Add rate" }).click();
  await expect(form.getByText("A decimal with a dot: up to 10 digits before it and 10 after it, e.g. 1.0842")).toBeVisible();
  await form.getByLabel("Rate").fill("0.8571");
  await form.getByRole("button", { name: "Add rate" }).click();
  await expect(pairs.getByRole("row").filter({ hasText: "EUR/GBP" })).toContainText("1 EUR = 0.8571 GBP");
  await expect(form.getByLabel("Rate")).toHaveValue("");
});
