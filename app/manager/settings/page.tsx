import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { PayoutPolicyForm } from "./_components/payout-policy";
import { ProgramSettingsForm } from "./_components/program-settings";
import { UserSessions } from "./_components/user-sessions";

export const metadata = { title: "Settings · Affiliate platform" };

export default async function ManagerSettingsPage() {
  await prefetch(trpc.program.settings.queryOptions(), trpc.payouts.policy.queryOptions(), trpc.manager.userSessions.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Settings" description="The program's name, where tracking links that no longer exist send their visitors, the payout policy, and who is signed in." />
      <div className="space-y-6">
        <ProgramSettingsForm />
        <PayoutPolicyForm />
        <UserSessions />
      </div>
    </HydrateClient>
  );
}
