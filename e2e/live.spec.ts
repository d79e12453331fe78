import { expect, test } from "@playwright/test";
import { startTcpProxy } from "../server/testing/tcp-proxy";
import { freePort, startSpecServer } from "./live-server";
import { signIn } from "./sign-in";

const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/** A real click on the demo link (as a browser), its click id, and a postback for it. */
async function sendPostback(request: import("@playwright/test").APIRequestContext, base: string, txn: string) {
  const click = await request.get(`${base}/go/demo`, { maxRedirects: 0, headers: { "user-agent": BROWSER_UA } });
  const clickId = new URL(click.headers().location!).searchParams.get("click_id")!;
  const answer = await request.get(`${base}/api/postback?token=demo-token&click_id=${clickId}&txn_id=${txn}&amount=42.00&currency=EUR`);
  expect(answer.status()).toBe(200);
}

test("a manager's live page shows a postback's conversion within 2 s, without a reload", async ({ page, request, baseURL }) => {
  await signIn(page, "manager@demo.test");
  await page.getByRole("link", { name: "Live", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Live attribution" })).toBeVisible();
  await expect(page.getByTestId("live-status").first()).toHaveAttribute("data-status", "live");
  const txn = `LIVE-${Date.now()}`;
  await sendPostback(request, baseURL!, txn);
  const row = page.locator(`[data-testid="live-row"][data-txn="${txn}"]`);
  await expect(row).toBeVisible({ timeout: 2_000 });
  await expect(row).toContainText("/go/demo");
  await expect(row).toContainText("€42.00");
  await expect(row).toContainText("from click");
  await expect(row).toContainText("path:");

  // pause holds new rows aside, resume shows them
  await page.getByRole("button", { name: "Pause" }).click();
  const later = `LIVE-PAUSED-${Date.now()}`;
  await sendPostback(request, baseURL!, later);
  await expect(page.getByRole("button", { name: /Resume \(\d+ new\)/ })).toBeVisible();
  await expect(page.locator(`[data-testid="live-row"][data-txn="${later}"]`)).toHaveCount(0);
  await page.getByRole("button", { name: /Resume/ }).click();
  await expect(page.locator(`[data-testid="live-row"][data-txn="${later}"]`)).toBeVisible();
});

test("an affiliate's live strip counts the click they just made", async ({ page, baseURL }) => {
  await signIn(page, "affiliate@demo.test");
  const clicks = page.getByTestId("today-clicks");
  await expect(page.getByTestId("live-today").getByTestId("live-status")).toHaveAttribute("data-status", "live");
  await expect(clicks).toHaveText(/^\d[\d,]*$/);
  const before = Number((await clicks.textContent())!.replaceAll(",", ""));
  const click = await page.request.get(`${baseURL}/go/demo`, { maxRedirects: 0, headers: { "user-agent": BROWSER_UA } });
  expect(click.status()).toBe(302);
  await expect.poll(async () => Number((await clicks.textContent())!.replaceAll(",", "")), { timeout: 5_000 }).toBeGreaterThan(before);
});

test.describe("with a server of the spec's own", () => {
  test.describe.configure({ timeout: 180_000 });

  test("after the server restarts, the live page reconnects and shows what it missed", async ({ page, request, baseURL }) => {
    const port = await freePort();
    let server = await startSpecServer(port);
    try {
      await signIn(page, "manager@demo.test");
      await page.goto(`${server.url}/manager/live`);
      const status = page.getByTestId("live-status").first();
      await expect(status).toHaveAttribute("data-status", "live");
      await server.stop();
      await expect(status).not.toHaveAttribute("data-status", "live");
      // while it is down, a conversion arrives through the suite's server
      const missed = `LIVE-MISSED-${Date.now()}`;
      await sendPostback(request, baseURL!, missed);
      server = await startSpecServer(port);
      await expect(status).toHaveAttribute("data-status", "live", { timeout: 20_000 });
      await expect(page.locator(`[data-testid="live-row"][data-txn="${missed}"]`)).toBeVisible();
      await expect(page.locator(`[data-testid="live-row"][data-txn="${missed}"]`)).toHaveCount(1);
    } finally {
      await server.stop();
    }
  });

  test("the operations page shows a stopped database as failing, and recovers by itself", async ({ page }) => {
    const database = new URL(process.env.DATABASE_URL!);
    const proxy = await startTcpProxy(database.hostname, Number(database.port));
    const port = await freePort();
    const server = await startSpecServer(port, { DATABASE_URL: proxy.urlFor(process.env.DATABASE_URL!) });
    try {
      await signIn(page, "manager@demo.test");
      await page.goto(`${server.url}/manager/operations`);
      const db = page.getByTestId("ops-database");
      await expect(db).toHaveAttribute("data-state", "healthy");
      await expect(page.getByTestId("ops-go")).toBeVisible();
      proxy.down();
      await expect(db).toHaveAttribute("data-state", "failing", { timeout: 10_000 });
      await expect(page.getByTestId("ops-overall")).toHaveText("Something is failing");
      await expect(page.getByText(/The database cannot be reached since/)).toBeVisible();
      proxy.up();
      await expect(db).toHaveAttribute("data-state", "healthy", { timeout: 15_000 });
      await expect(page.getByText(/Database reachable/)).toBeVisible();
    } finally {
      await server.stop();
      await proxy.close();
    }
  });
});
