import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { BlocklistEditor } from "../_components/blocklist-editor";
import { RulesEditor } from "../_components/rules-editor";
import { BackToQueue } from "../_components/back-to-queue";

export const metadata = { title: "Fraud rules · Affiliate platform" };

export default async function FraudRulesPage() {
  await prefetch(trpc.fraud.rules.queryOptions(), trpc.fraud.blocklist.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Fraud rules"
        description="Thresholds, severities and on/off switches of each rule, and the IP ranges treated as non-human. Changes apply to the next conversion on every server, without a restart."
        actions={<BackToQueue />}
      />
      <div className="space-y-6">
        <RulesEditor />
        <BlocklistEditor />
      </div>
    </HydrateClient>
  );
}
