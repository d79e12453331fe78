import { OfferManager } from "~/components/offers/offer-manager";
import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";

export const metadata = { title: "Offers · Affiliate platform" };

export default async function ManagerOffersPage() {
  await prefetch(trpc.offers.list.queryOptions({ includeArchived: true }), trpc.offers.merchants.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Offers"
        description="Every merchant's offers: terms, caps and whether affiliates may join without approval. Changes apply to new conversions; pausing or archiving stops the offer's links on every server within a second."
      />
      <OfferManager audience="manager" />
    </HydrateClient>
  );
}
