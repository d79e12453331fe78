import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

test("a sale from a real click: the postback answers, the merchant reads it in the log with its reason, a test postback records nothing", async ({ page, request }) => {
  // A real click on the demo link gives a signed click id in the redirect.
  const click = await request.get("/go/demo", { maxRedirects: 0 });
  expect(click.status()).toBe(302);
  const clickId = new URL(click.headers().location!).searchParams.get("click_id")!;
  const txn = `e2e-${Date.now().toString(36)}`;

  const refused = await request.get(`/api/postback?token=demo-token&click_id=${clickId}x&txn_id=${txn}`);
  expect(refused.status()).toBe(400);
  expect((await refused.json()).error.code).toBe("forged_click");
  const accepted = await request.get(`/api/postback?token=demo-token&click_id=${clickId}&txn_id=${txn}&amount=80.00&currency=EUR`);
  expect(accepted.status()).toBe(200);
  expect(await accepted.json()).toMatchObject({ status: "created", duplicate: false });

  await signIn(page, "merchant@demo.test");
  await page.getByRole("link", { name: "Postbacks" }).click();
  await expect(page.getByTestId("postback-template")).toContainText("txn_id={order_id}");
  const log = page.getByRole("table", { name: "Postback log" });
  await log.getByRole("row").filter({ hasText: txn }).filter({ hasText: "forged_click" }).click();
  await expect(page.getByText("parameters as received (the token is never stored)")).toBeVisible();
  await expect(log.getByRole("row").filter({ hasText: txn }).filter({ hasText: "created" })).toBeVisible();

  await page.getByRole("button", { name: "Send test postback" }).click();
  await expect(page.getByTestId("test-result")).toContainText("HTTP 200");
  await expect(page.getByTestId("test-result")).toContainText("Nothing was recorded");
});

test("the affiliate sees their conversions with the status in words", async ({ page }) => {
  await signIn(page, "affiliate@demo.test");
  await page.getByRole("link", { name: "Conversions" }).click();
  const table = page.getByRole("table", { name: "Your conversions" });
  await expect(table.getByRole("row").nth(1)).toBeVisible();
  await expect(table.getByText(/^(pending|approved|paid|reversed|held: .+)$/).first()).toBeVisible();
  await page.getByLabel("Status").selectOption("PAID");
  await expect(table.getByText(/^(pending|approved|reversed|held: .+)$/)).toHaveCount(0);
});

test("the manager filters pending commissions and approves one", async ({ page }) => {
  await signIn(page, "manager@demo.test");
  await page.getByRole("link", { name: "Conversions" }).click();
  await expect(page.getByRole("table", { name: "Conversions" }).getByRole("row").nth(1)).toBeVisible();
  await page.getByRole("tab", { name: "Commissions" }).click();
  // Not the demo affiliate (Petal Post): the payouts spec, run last, counts the demo affiliate's payouts.
  await page.getByLabel("Affiliate").selectOption({ label: "Green Thumb Weekly" });
  await page.getByLabel("Commission status").selectOption("PENDING");
  const table = page.getByRole("table", { name: "Commissions" });
  await table.getByRole("checkbox").first().check();
  await page.getByRole("button", { name: "Approve selected (1)" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Approved 1 commission." })).toBeVisible();
});

test("the manager filters conversions by their status and compares attribution models", async ({ page }) => {
  await signIn(page, "manager@demo.test");
  await page.getByRole("link", { name: "Conversions" }).click();
  const conversions = page.getByRole("table", { name: "Conversions" });
  await expect(conversions.getByRole("row").nth(1)).toBeVisible();
  await page.getByLabel("Conversion status").selectOption("REFUNDED");
  await expect(conversions.getByRole("row").nth(1)).toBeVisible();
  await expect(conversions.getByText(/^(pending|approved)$/)).toHaveCount(0);

  await page.getByRole("tab", { name: "Credit models" }).click();
  await expect(page.getByTestId("credit-summary")).toContainText("reached through more than one click");
  await expect(page.getByTestId("credit-chart").locator(".recharts-rectangle").first()).toBeVisible();
  const table = page.getByRole("table", { name: "Credit by affiliate" });
  await expect(table.getByRole("columnheader", { name: "Position-based" })).toBeVisible();
  await page.getByLabel("Currency").selectOption("EUR");
  await expect(table.getByRole("row").nth(1)).toContainText("€");
  await page.getByLabel("Currency").selectOption("USD");
  await expect(table.getByRole("row").nth(1)).toContainText("$");
});
