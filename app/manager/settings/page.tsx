import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { PayoutPolicyForm } from "./_components/payout-policy";
import { ProgramSettingsForm } from "./_components/program-settings";

export const metadata = { title: "Settings · Affiliate platform" };

export default async function ManagerSettingsPage() {
  await prefetch(trpc.program.settings.queryOptions(), trpc.payouts.policy.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Settings" description="The program's name, where tracking links that no longer exist send their visitors, and the payout policy." />
      <div className="space-y-6">
        <ProgramSettingsForm />
        <PayoutPolicyForm />
      </div>
    </HydrateClient>
  );
}
