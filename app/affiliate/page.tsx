import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { EarningsSummary } from "./_components/earnings-summary";
import { LinkPerformance } from "./_components/link-performance";
import { LiveToday } from "./_components/live-today";
import { PayoutHistory } from "./_components/payout-history";

export const metadata = { title: "Earnings · Affiliate platform" };

export default async function AffiliateHome() {
  await prefetch(trpc.affiliate.earnings.queryOptions(), trpc.links.mine.queryOptions(), trpc.payouts.mine.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Earnings" description="Your commissions by status, and how your links performed in the last 30 days." />
      <div className="space-y-8">
        <LiveToday />
        <EarningsSummary />
        <LinkPerformance />
        <PayoutHistory />
      </div>
    </HydrateClient>
  );
}
