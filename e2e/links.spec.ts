import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

test("the manager creates a link (with validation messages), it redirects at once, then disables it", async ({ page }) => {
  await signIn(page, "manager@demo.test");
  await page.goto("/manager/links");
  const form = page.getByRole("form", { name: "New link" });
  const slug = `e2e-${Date.now().toString(36)}`;

  await form.getByLabel("Slug").fill("Not/A slug");
  await form.getByLabel("Destination URL").fill("javascript:alert(1)");
  await form.getByRole("button", { name: "Create link" }).click();
  await expect(form.getByText("Slug: 1-64 characters: lowercase letters, digits, - and _.")).toBeVisible();
  await expect(form.getByText("Destination must start with http:// or https://.")).toBeVisible();
  await expect(form.getByText("Choose an affiliate.")).toBeVisible();

  await form.getByLabel("Slug").fill("demo"); // taken by the seed
  await form.getByLabel("Destination URL").fill("https://shop.example/e2e");
  await form.getByLabel("Affiliate").selectOption({ index: 1 });
  await form.getByLabel("Offer").selectOption({ index: 1 });
  await form.getByRole("button", { name: "Create link" }).click();
  await expect(form.getByText('The slug "demo" is already taken: choose another.')).toBeVisible();

  await form.getByLabel("Slug").fill(slug);
  await form.getByRole("button", { name: "Create link" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created /go/${slug}`);

  const go = () => page.request.get(`/go/${slug}?sub1=e2e`, { maxRedirects: 0, headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" } });
  await expect.poll(async () => (await go()).status(), { timeout: 1_000 }).toBe(302);
  expect((await go()).headers().location).toMatch(/^https:\/\/shop\.example\/e2e\?click_id=[-\w]{30}&sub1=e2e$/);

  await page.getByLabel("Search links").fill(slug);
  const row = page.getByRole("table", { name: "Links" }).getByRole("row").filter({ hasText: slug });
  await expect(row).toHaveCount(1);
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row.getByText("Disabled")).toBeVisible();
  await expect.poll(async () => (await go()).status(), { timeout: 1_000 }).not.toBe(302);
});

test("the affiliate sees their tracking URLs with click counts and copies one", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, "affiliate@demo.test");
  await page.goto("/affiliate/links");
  const table = page.getByRole("table", { name: "Your tracking links" });
  const demo = table.getByRole("row").filter({ has: page.getByTestId("tracking-url").getByText(/\/go\/demo$/) });
  await expect(demo).toHaveCount(1);
  const url = (await demo.getByTestId("tracking-url").textContent())!;
  expect(url).toMatch(/^https?:\/\/[^/]+\/go\/demo$/);
  await demo.getByRole("button", { name: `Copy ${url}` }).click();
  await expect(demo.getByRole("button", { name: `Copy ${url}` })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await expect(demo.getByRole("cell").nth(3)).toHaveText(/^\d[\d,]*$/);
});
