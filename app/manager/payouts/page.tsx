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
        description="A run pays every payable affiliate's approved commissions in lanes, one per method and currency: approve a lane, download its PayPal, Wise or bank file, mark it sent, then settle each payout (upload the provider's result file or mark payouts paid or failed). Affiliates without complete payout details and tax form, below the minimum, or suspended are carried over with the reason."
      />
      <PayoutRuns />
    </HydrateClient>
  );
}
