import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { FxRates } from "./_components/fx-rates";
import { OfferRates } from "./_components/offer-rates";

export const metadata = { title: "Rates · Affiliate platform" };

export default async function ManagerRatesPage() {
  await prefetch(trpc.rates.offers.queryOptions(), trpc.rates.fx.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Rates"
        description="What offers pay beyond their own rate — volume tiers and per-affiliate overrides — and the exchange rates that convert sales in other currencies. Every change is audited; postbacks use it from the next sale on."
      />
      <div className="space-y-6">
        <OfferRates />
        <FxRates />
      </div>
    </HydrateClient>
  );
}
