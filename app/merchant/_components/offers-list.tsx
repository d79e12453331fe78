"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { OfferCard } from "./offer-card";

export function OffersList() {
  const trpc = useTRPC();
  const query = useQuery(trpc.merchant.offers.queryOptions());
  return (
    <QueryState query={query}>
      {(offers) =>
        offers.length === 0 ? (
          <EmptyState title="No offers yet">Create your first offer below.</EmptyState>
        ) : (
          <div className="grid gap-4 lg:grid-cols-2">
            {offers.map((offer) => (
              <OfferCard key={offer.id} offer={offer} />
            ))}
          </div>
        )
      }
    </QueryState>
  );
}
