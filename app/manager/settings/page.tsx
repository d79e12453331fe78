import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { ProgramSettingsForm } from "./_components/program-settings";

export const metadata = { title: "Settings · Affiliate platform" };

export default async function ManagerSettingsPage() {
  await prefetch(trpc.program.settings.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Settings" description="The program's name and where tracking links that no longer exist send their visitors." />
      <ProgramSettingsForm />
    </HydrateClient>
  );
}
