import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { PayoutHistory } from "../_components/payout-history";
import { PayoutSettingsForm } from "./_components/payout-settings-form";

export const metadata = { title: "Payouts · Affiliate platform" };

export default async function AffiliatePayoutsPage() {
  await prefetch(trpc.payouts.settings.queryOptions(), trpc.payouts.mine.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Payout settings"
        description="How you are paid and your tax form. Payout runs pay only affiliates with complete details and a W-9 (US persons) or W-8BEN (everyone else) on file; a change applies from the next run."
      />
      <div className="space-y-6">
        <PayoutSettingsForm />
        <PayoutHistory />
      </div>
    </HydrateClient>
  );
}
