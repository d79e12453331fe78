import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

test("the affiliate signs in and sees their earnings and links", async ({ page }) => {
  await signIn(page, "affiliate@demo.test");
  await expect(page).toHaveURL(/\/affiliate$/);
  await expect(page.getByRole("heading", { name: "Earnings" })).toBeVisible();
  await expect(page.getByTestId("user-email")).toHaveText("affiliate@demo.test");
  // Seeded commissions, formatted from minor units.
  await expect(page.getByTestId("earnings-EUR").getByText(/€\d[\d,]*\.\d{2}/).first()).toBeVisible();
  const links = page.getByRole("table", { name: "Performance by link" });
  await expect(links.getByText("/go/demo")).toBeVisible();
  await expect(links.getByRole("row")).toHaveCount(4); // header + 3 links
});

test("the manager signs in and sees the program overview", async ({ page }) => {
  await signIn(page, "manager@demo.test");
  await expect(page).toHaveURL(/\/manager$/);
  await expect(page.getByRole("heading", { name: "Program overview" })).toBeVisible();
  // About 10,000 seeded clicks and 500 conversions (bots excluded from clicks; other specs running at the same
  // time may add a few of each).
  await expect(page.getByTestId("stat-clicks-value")).toHaveText(/^(9,\d{3}|10,\d{3})$/);
  await expect(page.getByTestId("stat-conversions-value")).toHaveText(/^5\d\d$/);
  await expect(page.getByTestId("stat-commissions-EUR")).toContainText("€");
  await expect(page.getByTestId("daily-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
});

test("the merchant signs in and sees their offers, not the other merchant's", async ({ page }) => {
  await signIn(page, "merchant@demo.test");
  await expect(page).toHaveURL(/\/merchant$/);
  await expect(page.getByRole("heading", { name: "Your offers" })).toBeVisible();
  await expect(page.getByTestId("offer-card")).toHaveCount(2);
  await expect(page.getByText("Flower delivery: first order")).toBeVisible();
  await expect(page.getByText("Stackwise Pro (annual)")).toHaveCount(0);
  await page.getByRole("link", { name: "Bloom subscription" }).click();
  // The offer's own page (its h1; the card's h2 of the list may still be on screen while the page changes).
  await expect(page.getByRole("heading", { level: 1, name: "Bloom subscription" })).toBeVisible();
});

test("an affiliate who opens manager or merchant pages is sent back to their own", async ({ page }) => {
  await signIn(page, "affiliate@demo.test");
  await expect(page).toHaveURL(/\/affiliate$/);
  await page.goto("/manager");
  await expect(page).toHaveURL(/\/affiliate$/);
  await page.goto("/merchant");
  await expect(page).toHaveURL(/\/affiliate$/);
  await expect(page.getByRole("heading", { name: "Earnings" })).toBeVisible();
});

test("a wrong password shows a clear error and signs nobody in", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill("manager@demo.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText(/^Wrong email or password\./);
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/manager");
  await expect(page).toHaveURL(/\/signin/);
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, "merchant@demo.test");
  await expect(page).toHaveURL(/\/merchant$/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/merchant");
  await expect(page).toHaveURL(/\/signin/);
});
