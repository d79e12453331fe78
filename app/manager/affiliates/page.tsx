import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { AffiliateAccounts } from "./_components/affiliate-accounts";

export const metadata = { title: "Affiliates · Affiliate platform" };

export default async function ManagerAffiliatesPage() {
  await prefetch(trpc.manager.affiliates.queryOptions({ status: "all" }));
  return (
    <HydrateClient>
      <PageHeader
        title="Affiliates"
        description="Suspending an affiliate stops their tracking links on every server within a second and ends their access: they cannot sign in, and a session they hold ends at its next request. Their commissions stay as they are; hold or reverse them under Conversions or Fraud. Reactivating restores links and access."
      />
      <AffiliateAccounts />
    </HydrateClient>
  );
}
