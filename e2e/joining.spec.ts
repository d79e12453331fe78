import { type Browser, type Page, expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function managerPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, "manager@demo.test");
  return page;
}

async function setPassword(page: Page, link: string, password: string) {
  await page.goto(link);
  await page.getByLabel(/^New password/).fill(password);
  await page.getByLabel("Repeat the password").fill(password);
  await page.getByRole("button", { name: "Set password" }).click();
}

test("an applicant applies, is approved, sets a password, requests a link, and a sale on it is their earnings", async ({ page, browser, request }) => {
  const name = unique("Applicant");
  const email = `${name.toLowerCase()}@example.com`;

  // The application: errors beside each field, what was typed stays.
  await page.goto("/join");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Website or channel").fill("not a url");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByText("Enter the full address of your website or channel (https://…).")).toBeVisible();
  await expect(page.getByText("Accept the program terms to apply.")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Website or channel").fill("https://garden-notes.example");
  await page.getByLabel("Audience").fill("Home gardeners, 12k readers a month");
  await page.getByLabel("Payout country").fill("pt");
  await page.getByLabel("I accept the program terms").check();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByRole("status")).toContainText("your application is waiting");

  // The manager approves and gets the one-time link to send.
  const manager = await managerPage(browser);
  await manager.getByRole("link", { name: "Joining" }).click();
  await manager.getByRole("button", { name: `Approve ${name}` }).click();
  const link = (await manager.getByTestId("one-time-link").textContent())!.trim();
  expect(link).toContain("/set-password?token=");

  // The applicant sets their password (signed in by it), and the link is used up.
  await setPassword(page, link, "garden password 1");
  await expect(page).toHaveURL(/\/affiliate$/);
  await expect(page.getByTestId("user-email")).toHaveText(email);
  await page.goto(link);
  await expect(page.getByText("This link was already used.", { exact: false })).toBeVisible();

  // They ask for a link to an offer; the manager approves it.
  await page.goto("/affiliate/offers");
  await page.getByLabel("Offer").selectOption({ label: "Flower delivery: first order (Bloom & Co.)" });
  await page.getByLabel("Destination URL").fill("https://bloom.example/first-order");
  await page.getByRole("button", { name: "Request link" }).click();
  await expect(page.getByRole("table", { name: "Your link requests" })).toContainText("pending");
  await manager.reload();
  await manager.getByRole("button", { name: `Approve link ${name} for Flower delivery: first order` }).click();
  const created = (await manager.getByText(/^Link \/go\/.+ created\.$/).textContent())!;
  const slug = created.replace(/^Link \/go\//, "").replace(/ created\.$/, "");

  // A click and a postback on the new link are the new affiliate's earnings.
  let clickId = "";
  await expect
    .poll(async () => {
      const click = await request.get(`/go/${slug}`, { maxRedirects: 0 });
      clickId = click.status() === 302 ? (new URL(click.headers().location!).searchParams.get("click_id") ?? "") : "";
      return click.status();
    })
    .toBe(302);
  const postback = await request.get(`/api/postback?token=demo-token&click_id=${clickId}&txn_id=${unique("join")}&amount=60.00&currency=EUR`);
  expect(postback.status()).toBe(200);
  await page.goto("/affiliate");
  await expect(page.getByTestId("earnings-EUR")).toContainText("8.00");
  await manager.context().close();
});

test("a user changes their password and their other session ends", async ({ page, browser }) => {
  const email = `${unique("second-manager")}@example.com`;
  const manager = await managerPage(browser);
  await manager.goto("/manager/accounts");
  const form = manager.getByRole("form", { name: "New manager" });
  await form.getByLabel("Name").fill("Second Manager");
  await form.getByLabel("Email").fill(email);
  await form.getByRole("button", { name: "Create manager" }).click();
  const link = (await manager.getByTestId("one-time-link").textContent())!.trim();
  await manager.context().close();

  await setPassword(page, link, "first password 1");
  await expect(page).toHaveURL(/\/manager$/);
  const other = await (await browser.newContext()).newPage();
  await signIn(other, email, "first password 1");

  await page.goto("/manager/account");
  await page.getByLabel("Current password").fill("wrong password");
  await page.getByLabel(/^New password/).fill("second password 2");
  await page.getByLabel("Repeat the new password").fill("second password 2");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("The current password is wrong.")).toBeVisible();
  await expect(page.getByLabel(/^New password/)).toHaveValue("second password 2");
  await page.getByLabel("Current password").fill("first password 1");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed." })).toBeVisible();
  await expect(page.getByRole("table", { name: "Recent sign-ins" }).getByRole("row")).not.toHaveCount(1);

  // This browser stays signed in; the other one is signed out at its next request.
  await page.reload();
  await expect(page).toHaveURL(/\/manager\/account$/);
  await other.reload();
  await expect(other).toHaveURL(/\/signin/);
  await other.context().close();
});
