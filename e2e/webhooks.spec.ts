// A merchant adds a webhook endpoint (a real receiver started here on 127.0.0.1, which the test server
// allow-lists), sends a test event, sees it delivered in the log, and replays it. The receiver verifies each
// signature with the secret the UI showed once.
import { type Page, expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { type Receiver, startReceiver } from "../server/webhooks/test-receiver";

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(() => receiver.close());

async function signInAsMerchant(page: Page) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill("merchant@demo.test");
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/merchant$/);
}

test("a merchant adds an endpoint, sends a test event, sees it in the log and replays it", async ({ page }) => {
  await signInAsMerchant(page);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();

  await page.getByRole("button", { name: "Add endpoint" }).click();
  await page.getByLabel("Endpoint URL").fill(receiver.url);
  await page.getByLabel("Description").fill("e2e receiver");
  await page.getByRole("button", { name: "Add endpoint" }).last().click();

  const dialog = page.getByRole("dialog", { name: "Signing secret" });
  await expect(dialog).toBeVisible();
  const secret = (await dialog.getByTestId("webhook-secret").textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);
  await dialog.getByRole("button", { name: "I have saved it" }).click();
  await expect(dialog).toBeHidden();

  const endpoint = page.getByTestId("webhook-endpoint").filter({ hasText: receiver.url });
  await expect(endpoint.getByText("enabled", { exact: true })).toBeVisible();
  await expect(endpoint).not.toContainText(secret.slice(10)); // only the first characters are ever shown again

  await endpoint.getByRole("button", { name: "Send test event" }).click();
  await expect(page.getByText(/Test event evt_\w+ queued/)).toBeVisible();
  await receiver.waitFor(1);
  const first = receiver.requests[0]!;
  const event = new Webhook(secret).verify(first.body, first.headers) as { id: string; type: string };
  expect(event.type).toBe("webhook.test");
  expect(first.headers["webhook-id"]).toBe(event.id);

  await endpoint.getByRole("link", { name: "Delivery log" }).click();
  await expect(page.getByRole("heading", { name: "Delivery log" })).toBeVisible();
  const row = page.getByTestId("webhook-delivery").filter({ hasText: event.id });
  await expect(row.getByText("webhook.test", { exact: true })).toBeVisible();
  await expect(row.getByText("delivered", { exact: true })).toBeVisible();
  await expect(row.getByTestId("delivery-attempts")).toHaveText("1/8");
  await row.getByRole("button", { name: "Attempts" }).click();
  await expect(page.getByText("Attempt 1")).toBeVisible();
  await expect(page.getByText("HTTP 200")).toBeVisible();

  await row.getByRole("button", { name: "Replay" }).click();
  await receiver.waitFor(2);
  expect(receiver.requests[1]!.headers["webhook-id"]).toBe(event.id); // same message id on a replay
  new Webhook(secret).verify(receiver.requests[1]!.body, receiver.requests[1]!.headers);
  await expect(row.getByTestId("delivery-attempts")).toHaveText("2/8");
  await expect(row.getByText("delivered", { exact: true })).toBeVisible();
});

test("a URL pointing at the cloud metadata service is refused with a clear message", async ({ page }) => {
  await signInAsMerchant(page);
  await page.goto("/merchant/webhooks");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await page.getByLabel("Endpoint URL").fill("https://169.254.169.254/latest/meta-data/");
  await page.getByRole("button", { name: "Add endpoint" }).last().click();
  await expect(page.getByText("URL is refused: 169.254.169.254 is a link-local (cloud metadata) address")).toBeVisible();
  await expect(page.getByTestId("webhook-endpoint").filter({ hasText: "169.254.169.254" })).toHaveCount(0);
});
