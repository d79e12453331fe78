// A merchant adds a webhook endpoint (a real receiver started here on 127.0.0.1, which the test server
// allow-lists), sends a test event, sees it delivered in the log, and replays it. The receiver verifies every
// signature with the secret the UI showed once. Other specs make the same demo merchant emit events at the same
// time (another worker), so the endpoint subscribes to one type only and requests are matched by webhook-id.
import { expect, test } from "@playwright/test";
import { type Receiver, startReceiver } from "../server/webhooks/test-receiver";
import { signIn } from "./sign-in";

let receiver: Receiver;
test.beforeAll(async () => {
  receiver = await startReceiver();
});
test.afterAll(() => receiver.close());

test("a merchant adds an endpoint, sends a test event, sees it in the log and replays it", async ({ page }) => {
  await signIn(page, "merchant@demo.test");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();

  await page.getByRole("button", { name: "Add endpoint" }).click();
  await page.getByLabel("Endpoint URL").fill(receiver.url);
  await page.getByLabel("Description").fill("e2e receiver");
  await page.getByRole("checkbox", { name: /conversion\.reversed/ }).check();
  await page.getByRole("button", { name: "Add endpoint" }).last().click();

  const dialog = page.getByRole("dialog", { name: "Signing secret" });
  await expect(dialog).toBeVisible();
  const secret = (await dialog.getByTestId("webhook-secret").textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);
  receiver.secrets.push(secret);
  await dialog.getByRole("button", { name: "I have saved it" }).click();
  await expect(dialog).toBeHidden();

  const endpoint = page.getByTestId("webhook-endpoint").filter({ hasText: receiver.url });
  await expect(endpoint.getByText("enabled", { exact: true })).toBeVisible();
  await expect(endpoint).toContainText("conversion.reversed");
  await expect(endpoint).not.toContainText(secret.slice(10)); // only the first characters are ever shown again

  await endpoint.getByRole("button", { name: "Send test event" }).click();
  const queued = page.getByRole("status").filter({ hasText: /Test event evt_\w+ queued/ });
  await expect(queued).toBeVisible();
  const eventId = /evt_\w+/.exec((await queued.textContent())!)![0];
  const ours = (r: Receiver["requests"][number]) => r.headers["webhook-id"] === eventId;
  const first = await receiver.waitForRequest(ours);
  expect(first.verified).toBe(true);
  expect(JSON.parse(first.body)).toMatchObject({ id: eventId, type: "webhook.test" });

  await endpoint.getByRole("link", { name: "Delivery log" }).click();
  await expect(page.getByRole("heading", { name: "Delivery log" })).toBeVisible();
  const row = page.getByTestId("webhook-delivery").filter({ hasText: eventId });
  await expect(row.getByText("webhook.test", { exact: true })).toBeVisible();
  await expect(row.getByText("delivered", { exact: true })).toBeVisible();
  await expect(row.getByTestId("delivery-attempts")).toHaveText("1/8");
  await row.getByRole("button", { name: "Attempts" }).click();
  await expect(page.getByText("Attempt 1")).toBeVisible();
  await expect(page.getByText("HTTP 200")).toBeVisible();

  await row.getByRole("button", { name: "Replay" }).click();
  await expect.poll(() => receiver.requests.filter(ours).length).toBe(2); // the same webhook-id on a replay
  expect(receiver.requests.filter(ours).every((r) => r.verified)).toBe(true);
  await expect(row.getByTestId("delivery-attempts")).toHaveText("2/8");
  await expect(row.getByText("delivered", { exact: true })).toBeVisible();
});

test("events that arrive while an endpoint is disabled are counted, then sent when it is re-enabled with replay", async ({ page, request }) => {
  const rx = await startReceiver();
  try {
    await signIn(page, "merchant@demo.test");
    await page.goto("/merchant/webhooks");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByLabel("Endpoint URL").fill(rx.url);
    await page.getByRole("checkbox", { name: /conversion\.created/ }).check();
    await page.getByRole("button", { name: "Add endpoint" }).last().click();
    rx.secrets.push((await page.getByTestId("webhook-secret").textContent())!.trim());
    await page.getByRole("button", { name: "I have saved it" }).click();
    const endpoint = page.getByTestId("webhook-endpoint").filter({ hasText: rx.url });
    page.once("dialog", (confirmation) => void confirmation.accept());
    await endpoint.getByRole("button", { name: "Disable" }).click();
    await expect(endpoint.getByText("disabled", { exact: true })).toBeVisible();

    // A sale while the endpoint is disabled.
    const click = await request.get("/go/demo", { maxRedirects: 0 });
    const clickId = new URL(click.headers().location!).searchParams.get("click_id")!;
    const txn = `e2e-webhook-${Date.now().toString(36)}`;
    expect((await request.get(`/api/postback?token=demo-token&click_id=${clickId}&txn_id=${txn}&amount=12.00&currency=EUR`)).status()).toBe(200);

    await endpoint.getByRole("button", { name: "Re-enable and replay…" }).click();
    const preview = endpoint.getByTestId("replay-preview");
    await expect(preview).toContainText(/Re-enabling will send 0 deliveries that failed during the outage and [1-9][\d,]* events? that arrived while the endpoint was disabled\./);
    await endpoint.getByRole("button", { name: /^Re-enable and replay \d/ }).click();
    await expect(page.getByRole("status").filter({ hasText: /Endpoint re-enabled; [1-9][\d,]* deliveries queued\./ })).toBeVisible();
    const sale = await rx.waitForRequest((r) => r.body.includes(txn));
    expect(sale.verified).toBe(true);
    expect(JSON.parse(sale.body)).toMatchObject({ type: "conversion.created" });
  } finally {
    await rx.close();
  }
});

test("a URL pointing at the cloud metadata service is refused with a clear message", async ({ page }) => {
  await signIn(page, "merchant@demo.test");
  await page.goto("/merchant/webhooks");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await page.getByLabel("Endpoint URL").fill("https://169.254.169.254/latest/meta-data/");
  await page.getByRole("button", { name: "Add endpoint" }).last().click();
  await expect(page.getByText("URL is refused: 169.254.169.254 is a private or reserved address")).toBeVisible();
  await expect(page.getByTestId("webhook-endpoint").filter({ hasText: "169.254.169.254" })).toHaveCount(0);
});
