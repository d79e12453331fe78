import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { ProgramOverview } from "./_components/program-overview";

export const metadata = { title: "Overview · Affiliate platform" };

export default async function ManagerHome() {
  await prefetch(trpc.manager.overview.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Program overview" description="Clicks, conversions and commissions over the last 30 days (UTC days)." />
      <ProgramOverview />
    </HydrateClient>
  );
}
