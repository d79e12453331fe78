import { expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

test("a merchant creates an offer with a daily cap of 2; the third postback is refused and the reason shows in the postback log", async ({ page, browser }) => {
  const name = `E2E capped ${Date.now().toString(36)}`;
  await signIn(page, "merchant@demo.test");
  const form = page.getByRole("form", { name: "New offer" });

  // The shared schema's messages, each on its field; what was typed stays.
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Destination URL").fill("javascript:alert(1)");
  await form.getByLabel("Daily cap (conversions)").fill("0");
  await form.getByRole("button", { name: "Create offer" }).click();
  await expect(form.getByText("Destination must start with http:// or https://.")).toBeVisible();
  await expect(form.getByText("Daily cap: at least 1 (empty: no cap)")).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveValue(name);

  await form.getByLabel("Destination URL").fill("https://shop.example/capped");
  await form.getByLabel("Commission per conversion (EUR)").fill("5.00");
  await form.getByLabel("Daily cap (conversions)").fill("2");
  await form.getByRole("button", { name: "Create offer" }).click();
  await expect(form.getByRole("status")).toHaveText(`Created ${name}.`);
  const row = page.getByRole("table", { name: "Offers" }).getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("2/day");

  // A manager gives the demo affiliate a link to it (affiliates' link requests come with issue #14 part B).
  const managerPage = await (await browser.newContext()).newPage();
  await signIn(managerPage, "manager@demo.test");
  await managerPage.goto("/manager/links");
  const linkForm = managerPage.getByRole("form", { name: "New link" });
  const slug = `e2e-cap-${Date.now().toString(36)}`;
  await linkForm.getByLabel("Slug").fill(slug);
  await linkForm.getByLabel("Destination URL").fill("https://shop.example/capped");
  await linkForm.getByLabel("Affiliate").selectOption({ index: 1 });
  await linkForm.getByLabel("Offer").selectOption({ label: `${name} (Bloom & Co.)` });
  await linkForm.getByRole("button", { name: "Create link" }).click();
  await expect(linkForm.getByRole("status")).toHaveText(`Created /go/${slug}`);

  const go = () => page.request.get(`/go/${slug}`, { maxRedirects: 0, headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" } });
  await expect.poll(async () => (await go()).status(), { timeout: 2_000 }).toBe(302);
  const clickId = new URL((await go()).headers().location!).searchParams.get("click_id")!;
  const txn = (n: number) => `e2e-cap-${slug}-${n}`;
  for (const n of [1, 2]) {
    const accepted = await page.request.get(`/api/postback?token=demo-token&click_id=${clickId}&txn_id=${txn(n)}&amount=20.00`);
    expect(accepted.status()).toBe(200);
  }
  const refused = await page.request.get(`/api/postback?token=demo-token&click_id=${clickId}&txn_id=${txn(3)}&amount=20.00`);
  expect(refused.status()).toBe(422);
  expect((await refused.json()).error.code).toBe("offer_cap_reached");

  await page.getByRole("link", { name: "Postbacks" }).click();
  const log = page.getByRole("table", { name: "Postback log" });
  const refusedRow = log.getByRole("row").filter({ hasText: txn(3) });
  await expect(refusedRow).toContainText("offer_cap_reached");
  await expect(refusedRow).toContainText("The offer's daily cap of 2 conversions is reached");
});
