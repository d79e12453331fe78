import { PageHeader } from "~/components/ui/page";
import { MyConversions } from "./_components/my-conversions";

export const metadata = { title: "Conversions · Affiliate platform" };

export default function AffiliateConversionsPage() {
  return (
    <>
      <PageHeader
        title="Your conversions"
        description="Every sale credited to you and what it earns. Pending commissions become approved when the offer's holding period ends, then paid in the next payout; a held one says why."
      />
      <MyConversions />
    </>
  );
}
