import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { PayoutRuns } from "./_components/payout-runs";

export const metadata = { title: "Payouts · Affiliate platform" };

export default async function PayoutsPage() {
  await prefetch(trpc.payouts.payable.queryOptions(), trpc.payouts.runs.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Payouts"
        description="Approved commissions are paid in runs: create a run, check and approve it, then mark it paid once the money is sent. Claw-backs of refunded sales are netted in the affiliate's next run."
      />
      <PayoutRuns />
    </HydrateClient>
  );
}
