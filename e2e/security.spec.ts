import { type Page, expect, test } from "@playwright/test";
import pg from "pg";
import { NAV } from "../components/nav/items";
import { signIn } from "./sign-in";

/** Collects every CSP violation the page reports (the DOM event, and Chromium's console line as a second witness). */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const seen: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) seen.push(message.text());
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return async () => [...seen, ...(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp))];
}

const PERSONAS = [
  { email: "affiliate@demo.test", pages: NAV.AFFILIATE },
  { email: "manager@demo.test", pages: NAV.MANAGER },
  { email: "merchant@demo.test", pages: NAV.MERCHANT },
];

test("the sign-in page carries the security headers and passes its CSP", async ({ page }) => {
  const violations = await watchCsp(page);
  const response = await page.goto("/signin");
  const headers = response!.headers();
  expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  // Hydrated (React's scripts ran under the policy): the button follows what is typed.
  const button = page.getByRole("button", { name: "Sign in" });
  await expect(button).toBeDisabled();
  await page.getByLabel("Email").fill("someone@example.com");
  await page.getByLabel("Password").fill("x");
  await expect(button).toBeEnabled();
  expect(await violations()).toEqual([]);
});

for (const { email, pages } of PERSONAS) {
  test(`every page of ${email} passes its CSP`, async ({ page }) => {
    test.setTimeout(120_000);
    const violations = await watchCsp(page);
    await signIn(page, email);
    for (const { href } of pages) {
      const response = await page.goto(href, { waitUntil: "load" });
      expect(response!.status(), href).toBe(200);
      expect(response!.headers()["content-security-policy"], href).toContain("'strict-dynamic'");
      await expect(page.getByTestId("user-email"), href).toHaveText(email);
      expect(await violations(), href).toEqual([]);
    }
  });
}

test("API answers carry a CSP that loads nothing", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(res.headers()["x-content-type-options"]).toBe("nosniff");
});

/** A merchant login of its own (the demo merchant's password and merchant), so ending its sessions disturbs no other spec. */
async function ownMerchantLogin(): Promise<string> {
  const email = `sessions-${Date.now()}-${Math.floor(Math.random() * 1e6)}@demo.test`;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO users (email, name, "passwordHash", role, "merchantId")
       SELECT $1, 'Sessions test', "passwordHash", role, "merchantId" FROM users WHERE email = 'merchant@demo.test'`,
      [email],
    );
  } finally {
    await client.end();
  }
  return email;
}

test("sign-out ends the session server-side: a copy of the cookie kept from before is refused", async ({ browser }) => {
  const email = await ownMerchantLogin();
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  const kept = await context.cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  const thief = await browser.newContext();
  await thief.addCookies(kept);
  const stolen = await thief.newPage();
  await stolen.goto("/merchant");
  await expect(stolen).toHaveURL(/\/signin/);
});

test("a manager ends a user's sessions from Settings: the user is signed out at their next request", async ({ browser }) => {
  const email = await ownMerchantLogin();
  const merchant = await (await browser.newContext()).newPage();
  await signIn(merchant, email);
  const manager = await (await browser.newContext()).newPage();
  await signIn(manager, "manager@demo.test");
  await manager.goto("/manager/settings");
  const row = manager.getByRole("table", { name: "User sessions" }).getByRole("row").filter({ hasText: email });
  await expect(row).toContainText("merchant");
  await row.getByRole("button", { name: "End sessions" }).click();
  await expect(manager.getByRole("status").filter({ hasText: `Ended 1 session of ${email}` })).toBeVisible();
  await merchant.goto("/merchant");
  await expect(merchant).toHaveURL(/\/signin/);
});
