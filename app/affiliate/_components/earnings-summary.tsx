"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { EmptyState, Stat } from "~/components/ui/page";
import { QueryState, Skeleton } from "~/components/ui/query-state";
import { formatMoney } from "~/server/money";

export function EarningsSummary() {
  const trpc = useTRPC();
  const query = useQuery(trpc.affiliate.earnings.queryOptions());
  return (
    <QueryState query={query} skeleton={<Skeleton rows={2} />}>
      {(earnings) =>
        earnings.length === 0 ? (
          <EmptyState title="No commissions yet">They appear here as soon as a conversion is credited to one of your links.</EmptyState>
        ) : (
          <div className="space-y-4">
            {earnings.map((e) => (
              <div key={e.currency} data-testid={`earnings-${e.currency}`}>
                {earnings.length > 1 && <h2 className="mb-2 text-sm font-semibold text-slate-700">{e.currency}</h2>}
                <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
                  <Stat label="Pending" value={formatMoney(e.pending, e.currency)} hint="In the holding period" />
                  <Stat
                    label="Held"
                    value={formatMoney(e.held, e.currency)}
                    hint={e.held ? "Under review by the program" : "Nothing under review"}
                  />
                  <Stat label="Approved" value={formatMoney(e.approved, e.currency)} hint="In the next payout" />
                  <Stat label="Paid" value={formatMoney(e.paid, e.currency)} hint="Paid out to you" />
                </div>
              </div>
            ))}
          </div>
        )
      }
    </QueryState>
  );
}
