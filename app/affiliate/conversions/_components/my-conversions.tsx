"use client";
// An affiliate's own conversions and commissions (scoped server-side to the session's affiliate), with the status
// in words — "held: <reason>" when fraud checks hold one — and how each amount was computed.
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { LoadMore } from "~/components/postbacks/load-more";
import { COMMISSION_STATUS_CHOICES, type CommissionStatus, FilterSelect } from "~/components/postbacks/filter-select";
import { useTRPC } from "~/components/trpc/client";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { Skeleton } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { COMMISSION_TONE, commissionStatusLabel } from "~/server/conversions/labels";
import { formatMoney } from "~/server/money";

const when = (d: Date) => d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });

export function MyConversions() {
  const trpc = useTRPC();
  const [status, setStatus] = useState<CommissionStatus | "">("");
  const query = useInfiniteQuery(trpc.conversions.mine.infiniteQueryOptions({ status: status || undefined }, { getNextPageParam: (p) => p.nextCursor ?? undefined }));
  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  return (
    <Card
      title="Conversions and commissions"
      actions={
        <FilterSelect label="Status" value={status} onChange={setStatus} choices={COMMISSION_STATUS_CHOICES} inline />
      }
    >
      {query.isPending ? (
        <Skeleton rows={6} />
      ) : query.isError ? (
        <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          Could not load your conversions: {query.error.message}{" "}
          <button type="button" onClick={() => void query.refetch()} className="font-medium underline">
            Retry
          </button>
        </div>
      ) : rows.length === 0 ? (
        <EmptyState title={status ? "No commissions with this status" : "No conversions yet"}>Sales from your links appear here as soon as the merchant reports them.</EmptyState>
      ) : (
        <DataTable
          label="Your conversions"
          rows={rows}
          rowKey={(r) => r.id}
          columns={[
            { header: "When", cell: (r) => <span className="whitespace-nowrap text-slate-600">{when(r.conversion.createdAt)}</span> },
            { header: "Offer", cell: (r) => <span>{r.offer.name} <span className="text-slate-500">· {r.offer.merchant.name}</span></span> },
            { header: "Link", cell: (r) => <code className="font-mono text-xs">{r.conversion.link.slug}</code> },
            { header: "Event", cell: (r) => r.conversion.event },
            { header: "Sale", align: "right", cell: (r) => formatMoney(r.conversion.amountMinor, r.conversion.currency) },
            { header: "Commission", align: "right", cell: (r) => <span className="font-medium">{formatMoney(r.amountMinor, r.currency)}</span> },
            {
              header: "Status",
              cell: (r) => (
                <div>
                  <Badge tone={COMMISSION_TONE[r.status]}>{commissionStatusLabel(r)}</Badge>
                  {r.status === "PENDING" && <div className="mt-1 text-xs text-slate-500">approved after {when(r.holdUntil)}</div>}
                </div>
              ),
            },
            { header: "How", cell: (r) => <span className="block max-w-xs text-xs text-slate-500">{r.calculation}</span> },
          ]}
        />
      )}
      <LoadMore query={query} />
    </Card>
  );
}
