import { OfferManager } from "~/components/offers/offer-manager";
import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { OffersList } from "./_components/offers-list";

export const metadata = { title: "Offers · Affiliate platform" };

export default async function MerchantHome() {
  await prefetch(trpc.merchant.offers.queryOptions(), trpc.merchant.manageableOffers.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Your offers" description="What affiliates earn on each offer, and the last 30 days of results. Create, edit, pause or archive them below." />
      <div className="space-y-6">
        <OffersList />
        <OfferManager audience="merchant" />
      </div>
    </HydrateClient>
  );
}
