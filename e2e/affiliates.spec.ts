import { type Page, expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// Coupon Corner (seeded; its login coupons@demo.test, its link coupon-corner-1) is suspended and reactivated here
// only.
test("the manager suspends an affiliate with a reason: their links stop and their session ends; reactivated, links return and they sign in again", async ({ browser }) => {
  const affiliate = await (await browser.newContext()).newPage();
  const manager = await (await browser.newContext()).newPage();
  const go = () => manager.request.get("/go/coupon-corner-1", { maxRedirects: 0, headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" } });
  const redirectsToTheirOffer = async () => {
    const res = await go();
    return res.status() === 302 && (res.headers().location ?? "").includes("utm_campaign=coupon-corner");
  };
  expect(await redirectsToTheirOffer()).toBe(true);
  await signIn(affiliate, "coupons@demo.test");
  await expect(affiliate.getByRole("heading", { name: "Earnings" })).toBeVisible();

  await signIn(manager, "manager@demo.test");
  await manager.getByRole("link", { name: "Affiliates" }).click();
  await expect(manager.getByRole("heading", { level: 1, name: "Affiliates" })).toBeVisible();
  await manager.getByLabel("Affiliate name or email").fill("coupon");
  await manager.getByRole("button", { name: "Search" }).click();
  const table = manager.getByRole("table", { name: "Affiliates" });
  const row = table.getByRole("row").filter({ hasText: "Coupon Corner" });
  await expect(table.getByRole("row")).toHaveCount(2); // header + Coupon Corner
  await expect(row.getByText("active", { exact: true })).toBeVisible();
  await expect(row.getByText("coupons@demo.test")).toBeVisible();

  await row.getByRole("button", { name: "Suspend Coupon Corner" }).click();
  const confirm = manager.getByRole("form", { name: "Suspend Coupon Corner" });
  await expect(confirm.getByText(/Their 2 live links stop redirecting within a second .* coupons@demo\.test is signed out/)).toBeVisible();
  await confirm.getByLabel("Reason (kept in the audit log)").fill("x".repeat(501));
  await confirm.getByRole("button", { name: "Suspend Coupon Corner" }).click();
  await expect(confirm.getByText("A reason has at most 500 characters")).toBeVisible();
  await expect(row.getByText("active", { exact: true })).toBeVisible(); // refused: nothing changed
  await confirm.getByLabel("Reason (kept in the audit log)").fill("Coupon codes posted without permission");
  await confirm.getByRole("button", { name: "Suspend Coupon Corner" }).click();
  await expect(manager.getByText("Coupon Corner is suspended: their links stop within a second and their access has ended.")).toBeVisible();
  await expect(row.getByText("suspended", { exact: true })).toBeVisible();
  await expect.poll(redirectsToTheirOffer, { timeout: 2_000 }).toBe(false);

  // The affiliate's open session ends at their next request, and signing in again is refused with the reason.
  await affiliate.reload();
  await expect(affiliate).toHaveURL(/\/signin/);
  await trySignIn(affiliate, "coupons@demo.test");
  await expect(affiliate.locator("form").getByRole("alert")).toHaveText("This affiliate account is suspended. Contact the program's manager.");
  await expect(affiliate).toHaveURL(/\/signin/);

  await row.getByRole("button", { name: "Reactivate Coupon Corner" }).click();
  await expect(manager.getByText("Coupon Corner is active again: their links redirect within a second and they can sign in.")).toBeVisible();
  await expect(row.getByText("active", { exact: true })).toBeVisible();
  await expect.poll(redirectsToTheirOffer, { timeout: 2_000 }).toBe(true);
  // The session from before the suspension stays over; signing in again works.
  await affiliate.goto("/affiliate");
  await expect(affiliate).toHaveURL(/\/signin/);
  await signIn(affiliate, "coupons@demo.test");
  await expect(affiliate.getByRole("heading", { name: "Earnings" })).toBeVisible();
});

async function trySignIn(page: Page, email: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
}
