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
  // The seed's two offers (e2e/offers.spec.ts may have added one of its own meanwhile); none of the other merchant's.
  const cards = page.getByTestId("offer-card");
  await expect(cards.filter({ hasText: "Flower delivery: first order" })).toHaveCount(1);
  await expect(cards.filter({ hasText: "Bloom subscription" })).toHaveCount(1);
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

test("repeated wrong passwords lock the account: 429 and a clear 'try again in N minutes'", async ({ page }) => {
  // An account of its own (unknown emails are counted too), so no other spec's demo login is locked.
  const email = `lockout-${Date.now()}@demo.test`;
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("guess");
  const alert = page.locator("form").getByRole("alert");
  // SIGNIN_FAILURES_PER_ACCOUNT defaults to 5: five wrong answers (each slower than the last), then the lock.
  const attempt = async () => {
    const answer = page.waitForResponse((r) => r.url().includes("/api/auth/callback/credentials"));
    await page.getByRole("button", { name: "Sign in" }).click();
    return answer;
  };
  for (let i = 0; i < 5; i++) {
    expect((await attempt()).status()).toBe(401);
    await expect(alert).toHaveText(/^Wrong email or password\./);
  }
  const response = await attempt();
  expect(response.status()).toBe(429);
  expect(Number(response.headers()["retry-after"])).toBeGreaterThan(800);
  await expect(alert).toHaveText("Too many failed sign-ins. Try again in 15 minutes.");
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, "merchant@demo.test");
  await expect(page).toHaveURL(/\/merchant$/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/merchant");
  await expect(page).toHaveURL(/\/signin/);
});
