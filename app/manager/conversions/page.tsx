import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { ConversionsBrowser } from "./_components/conversions-browser";

export const metadata = { title: "Conversions · Affiliate platform" };

export default async function ManagerConversionsPage() {
  await prefetch(trpc.conversions.filters.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Conversions and commissions"
        description="Every conversion the merchants' postbacks recorded, what it earned, and where its commission stands. Pending commissions are approved automatically when their holding period ends; approve them earlier here."
      />
      <ConversionsBrowser />
    </HydrateClient>
  );
}
