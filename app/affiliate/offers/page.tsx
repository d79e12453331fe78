import { PageHeader } from "~/components/ui/page";
import { OfferRequests } from "./_components/offer-requests";

export const metadata = { title: "Offers · Affiliate platform" };

export default function AffiliateOffersPage() {
  return (
    <>
      <PageHeader title="Offers" description="Ask for a tracking link to an offer; a program manager approves it and the link appears under Links." />
      <OfferRequests />
    </>
  );
}
