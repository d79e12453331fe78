import { type Page, expect } from "@playwright/test";

/** Signs in as a demo user (password from prisma/demo-logins.ts) and waits to leave the sign-in page. */
export async function signIn(page: Page, email: string, password = "demo-password") {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/signin/);
}
