import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// Coupon Corner (a seeded affiliate without a login, link coupon-corner-1) is suspended and reactivated here only.
test("the manager suspends an affiliate with a reason: their links stop; reactivated, they redirect again", async ({ page }) => {
  const go = () => page.request.get("/go/coupon-corner-1", { maxRedirects: 0, headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" } });
  const redirectsToTheirOffer = async () => {
    const res = await go();
    return res.status() === 302 && (res.headers().location ?? "").includes("utm_campaign=coupon-corner");
  };
  expect(await redirectsToTheirOffer()).toBe(true);

  await signIn(page, "manager@demo.test");
  await page.getByRole("link", { name: "Affiliates" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Affiliates" })).toBeVisible();
  await page.getByLabel("Affiliate name or email").fill("coupon");
  await page.getByRole("button", { name: "Search" }).click();
  const table = page.getByRole("table", { name: "Affiliates" });
  const row = table.getByRole("row").filter({ hasText: "Coupon Corner" });
  await expect(table.getByRole("row")).toHaveCount(2); // header + Coupon Corner
  await expect(row.getByText("active", { exact: true })).toBeVisible();
  await expect(row.getByText("no login")).toBeVisible();

  await row.getByRole("button", { name: "Suspend Coupon Corner" }).click();
  const confirm = page.getByRole("form", { name: "Suspend Coupon Corner" });
  await expect(confirm.getByText(/Their 2 live links stop redirecting within a second/)).toBeVisible();
  await confirm.getByLabel("Reason (kept in the audit log)").fill("x".repeat(501));
  await confirm.getByRole("button", { name: "Suspend Coupon Corner" }).click();
  await expect(confirm.getByText("A reason has at most 500 characters")).toBeVisible();
  await expect(row.getByText("active", { exact: true })).toBeVisible(); // refused: nothing changed
  await confirm.getByLabel("Reason (kept in the audit log)").fill("Coupon codes posted without permission");
  await confirm.getByRole("button", { name: "Suspend Coupon Corner" }).click();
  await expect(page.getByText("Coupon Corner is suspended: their links stop within a second and their access has ended.")).toBeVisible();
  await expect(row.getByText("suspended", { exact: true })).toBeVisible();
  await expect.poll(redirectsToTheirOffer, { timeout: 2_000 }).toBe(false);

  await row.getByRole("button", { name: "Reactivate Coupon Corner" }).click();
  await expect(page.getByText("Coupon Corner is active again: their links redirect within a second and they can sign in.")).toBeVisible();
  await expect(row.getByText("active", { exact: true })).toBeVisible();
  await expect.poll(redirectsToTheirOffer, { timeout: 2_000 }).toBe(true);
});
