import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { notFound } from "next/navigation";
import { api } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { OfferCard } from "../../_components/offer-card";

export default async function MerchantOfferPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Another merchant's offer is refused by the procedure (FORBIDDEN); to this merchant it simply does not exist.
  const offer = await api.merchant.offer({ id }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === "FORBIDDEN") notFound();
    throw error;
  });
  return (
    <>
      <PageHeader
        title={offer.name}
        description={<Link href="/merchant" className="text-indigo-600 hover:underline">← All offers</Link>}
      />
      <OfferCard offer={offer} linked={false} />
    </>
  );
}
