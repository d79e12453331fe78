import { type Browser, type Page, expect, test } from "@playwright/test";
import { signIn } from "./sign-in";

// The demo seed holds two of the demo affiliate's commissions through the real postback path (server/fraud/seed.ts):
// DEMO-FRAUD-1 converted 3 s after its click (sale 123.45), DEMO-FRAUD-2 came from a Google Cloud address (234.56),
// and lists 203.0.113.77 as the demo affiliate's own IP.

/** A page in a browser context of its own (each role keeps its own session cookies), signed in. */
async function signedIn(browser: Browser, email: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, email);
  return page;
}

test("a manager releases one held commission and reverses another; the affiliate sees both outcomes", async ({ browser }) => {
  const affiliate = await signedIn(browser, "affiliate@demo.test");
  await affiliate.goto("/affiliate/conversions");
  const table = affiliate.getByRole("table", { name: "Your conversions" });
  const row = (amount: RegExp) => table.getByRole("row").filter({ hasText: amount });
  // The affiliate learns that a sale is under review and the kind of check, never the rule's numbers.
  await expect(row(/123\.45/)).toContainText("held: under review (conversion timing)");
  await expect(row(/234\.56/)).toContainText("held: under review (traffic quality)");
  await expect(table).not.toContainText("minimum 10 s");
  await expect(table).not.toContainText("34.64.0.0/10");
  await expect(table).not.toContainText("34.118.20.7"); // the customer's IP is for managers only

  const manager = await signedIn(browser, "manager@demo.test");
  await manager.getByRole("link", { name: "Fraud" }).click();
  await expect(manager.getByRole("heading", { name: "Fraud review" })).toBeVisible();
  const group = manager.getByTestId("fraud-group-affiliate@demo.test");
  // A seconds-long rule fired: the chart opens minute by minute around the click, the hourly view one click away.
  const chart = group.locator("[data-testid^='traffic-chart-']");
  await expect(chart).toHaveAttribute("data-resolution", "minute");
  await group.getByRole("button", { name: "By hour" }).click();
  await expect(chart).toHaveAttribute("data-resolution", "hour");
  const fast = group.getByTestId("fraud-item-DEMO-FRAUD-1");
  await expect(fast).toContainText("fast_conversion");
  await expect(group.getByTestId("fraud-item-DEMO-FRAUD-2")).toContainText("non_human");
  await expect(group.getByTestId("fraud-item-DEMO-FRAUD-2")).toContainText("34.118.20.7"); // the manager sees the evidence
  await expect(group.getByTestId("fraud-item-DEMO-FRAUD-1")).toContainText(/minimum 10 s/); // and the rule's detail

  // Release the first, from its row.
  await fast.getByRole("button", { name: "Release" }).click();
  const dialog = manager.getByRole("dialog", { name: "Confirm decision" });
  await expect(dialog).toContainText("Release 1 commission?");
  await dialog.getByLabel("Note for the audit log (optional)").fill("customer confirmed by phone");
  await dialog.getByRole("button", { name: "Confirm release" }).click();
  await expect(manager.getByRole("status")).toHaveText("Released 1 commission.");
  await expect(group.getByTestId("fraud-item-DEMO-FRAUD-1")).toHaveCount(0);

  // Reverse the second, by selecting it.
  await group.getByLabel("Select transaction DEMO-FRAUD-2").check();
  await manager.getByRole("button", { name: "Reverse selected" }).click();
  await expect(dialog).toContainText("Reverse 1 commission?");
  await dialog.getByRole("button", { name: "Confirm reverse" }).click();
  await expect(manager.getByRole("status")).toHaveText("Reversed 1 commission.");
  // Both decided: neither is in the queue any more (the group itself may stay: another spec's sale through the demo
  // affiliate's link, seconds after its click, can be held meanwhile).
  await expect(group.getByTestId("fraud-item-DEMO-FRAUD-2")).toHaveCount(0);
  await expect(group.getByTestId("fraud-item-DEMO-FRAUD-1")).toHaveCount(0);

  const history = manager.getByRole("table", { name: "Fraud decisions" });
  await expect(history.getByRole("row").filter({ hasText: "Released" })).toContainText("held → pending");
  await expect(history.getByRole("row").filter({ hasText: "Released" })).toContainText("customer confirmed by phone");
  await expect(history.getByRole("row").filter({ hasText: "Reversed" })).toContainText("held → reversed");

  await affiliate.reload();
  await expect(row(/123\.45/)).toContainText("pending");
  await expect(row(/123\.45/)).not.toContainText("held");
  await expect(row(/234\.56/)).toContainText("reversed: did not pass review (traffic quality)");
});

test("a manager lists an affiliate's own IPs: a bad one is refused, the list saved", async ({ browser }) => {
  const manager = await signedIn(browser, "manager@demo.test");
  await manager.goto("/manager/fraud");
  await manager.getByRole("link", { name: "Affiliates' own IPs" }).click();
  await manager.getByLabel("Affiliate name or email").fill("affiliate@demo.test");
  await manager.getByRole("button", { name: "Search" }).click();
  const table = manager.getByRole("table", { name: "Affiliates' own IPs and customers" });
  await expect(table.getByRole("row").filter({ hasText: "affiliate@demo.test" })).toContainText("203.0.113.77");

  await manager.getByRole("button", { name: "Edit affiliate@demo.test" }).click();
  const form = manager.getByRole("form", { name: "Identities of affiliate@demo.test" });
  await form.getByLabel("Known IPs (one per line)").fill("203.0.113.77\n198.51.100.300");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form).toContainText('"198.51.100.300" is not an IPv4 or IPv6 address');
  await form.getByLabel("Known IPs (one per line)").fill("203.0.113.77\n2001:DB8::99");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(manager.getByRole("status")).toHaveText("Saved for affiliate@demo.test: applies to the next conversion on every server.");
  await expect(table.getByRole("row").filter({ hasText: "affiliate@demo.test" })).toContainText("2001:db8::99");
});
