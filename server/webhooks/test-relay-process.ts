// A relay in a process of its own, for the test that SIGKILLs one with requests in flight (relay.test.ts): scoped to
// one merchant (the test database is shared) and allowed to reach the test's receiver on 127.0.0.1.
//   node --import tsx server/webhooks/test-relay-process.ts <merchantId> <perEndpoint>
import { WebhookRelay } from "./relay";
import { parsePolicy } from "./ssrf";

const [merchantId, perEndpoint = "8"] = process.argv.slice(2);
if (!merchantId) throw new Error("usage: test-relay-process.ts <merchantId> [perEndpoint]");
await new WebhookRelay({ merchantIds: [merchantId], perEndpoint: Number(perEndpoint), policy: parsePolicy("127.0.0.1", false), log: () => {} }).start();
