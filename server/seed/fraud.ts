// Demo data of this feature: two commissions of the demo affiliate held by the checks, so the review queue has
// something to show, and the demo affiliate's own IP and customer id for the self-referral rule. (The starter block
// list is seeded on boot: see server/fraud/starter-blocklist.ts.)
import { defaultPostbackDeps } from "../conversions/http";
import { processPostback } from "../conversions/postback";
import { db } from "../db";
import { FraudEngine } from "../fraud/engine";
import { judge } from "../fraud/index";
import { STARTER_BLOCKLIST } from "../fraud/starter-blocklist";

export const DEMO_FRAUD_AFFILIATE = "affiliate@demo.test";

/** Listed as the demo affiliate's own (documentation addresses, used by no other demo traffic). */
export const DEMO_IDENTITIES = { knownIps: ["203.0.113.77"], knownCustomers: ["petal-post-owner"] };

/**
 * Two postbacks for the demo affiliate, sent through the real postback path and judged by a fresh engine: one
 * converting 3 s after its click (fast_conversion), one from a Google Cloud address (non_human). Both commissions
 * are held with their flags and a fraud.flagged event, exactly as live traffic would leave them. Sale amounts are
 * distinctive (123.45, 234.56) so pages and tests can find them.
 */
export async function seedDemoFraud({ affiliateEmail = DEMO_FRAUD_AFFILIATE, now = new Date() } = {}): Promise<string[]> {
  const link = await db.link.findFirst({ where: { affiliate: { email: affiliateEmail }, active: true }, orderBy: { id: "asc" }, include: { offer: true } });
  if (!link) return [];
  const engine = new FraudEngine({ log: () => {} });
  engine.setBlocklist(STARTER_BLOCKLIST);
  const base = defaultPostbackDeps();
  const deps = { ...base, now: () => now, evaluate: judge.bind(null, engine) };
  const cases = [
    { txn_id: "DEMO-FRAUD-1", clickedAgoMs: 3_000, ip: "198.51.100.23", amount: "123.45" },
    { txn_id: "DEMO-FRAUD-2", clickedAgoMs: 40 * 60_000, ip: "34.118.20.7", amount: "234.56" },
  ];
  const ids: string[] = [];
  for (const { clickedAgoMs, ...params } of cases) {
    const click_id = base.codec.sign(link.id, now.getTime() - clickedAgoMs);
    const answer = await processPostback({ method: "POST", params: { ...params, click_id, customer_id: `demo-customer-${params.txn_id}` }, auth: { merchantId: link.offer.merchantId }, senderIp: null }, deps);
    if (answer.status !== 200) throw new Error(`demo fraud postback ${params.txn_id} failed: ${JSON.stringify(answer.body)}`);
    ids.push(String(answer.body.conversion_id));
  }
  await db.affiliate.update({ where: { id: link.affiliateId }, data: DEMO_IDENTITIES });
  return ids;
}
