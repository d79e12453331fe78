import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { OffersList } from "./_components/offers-list";

export const metadata = { title: "Offers · Affiliate platform" };

export default async function MerchantHome() {
  await prefetch(trpc.merchant.offers.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Your offers" description="What affiliates earn on each offer, and the last 30 days of results." />
      <OffersList />
    </HydrateClient>
  );
}
