"use client";
// How each of the affiliate's links converts (the Links page has the tracking URLs and traffic quality).
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "~/components/trpc/client";
import { Badge } from "~/components/ui/page";
import { TableCard } from "~/components/ui/query-table";
import { formatRate } from "~/server/money";

const rate = (conversions: number, clicks: number) => (clicks ? `${((conversions / clicks) * 100).toFixed(1)}%` : "—");

export function LinkPerformance() {
  const trpc = useTRPC();
  const query = useQuery(trpc.links.mine.queryOptions());
  return (
    <TableCard
      title="Performance by link, last 30 days"
      actions={
        <Link href="/affiliate/links" className="text-sm font-medium text-indigo-600 hover:text-indigo-500">
          Tracking URLs →
        </Link>
      }
      query={query}
      empty={{ title: "No links yet", hint: "Ask your program manager for a link to an offer." }}
      label="Performance by link"
      rowKey={(l) => l.id}
      columns={[
        { header: "Link", cell: (l) => <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800">/go/{l.slug}</code> },
        {
          header: "Offer",
          cell: (l) => (
            <div>
              <div className="font-medium text-slate-900">{l.offer.name}</div>
              <div className="text-xs text-slate-500">
                {l.offer.merchant.name} · {formatRate(l.offer)}
              </div>
            </div>
          ),
        },
        { header: "Status", cell: (l) => (l.active ? <Badge tone="green">Active</Badge> : <Badge>Disabled</Badge>) },
        { header: "Billable clicks", align: "right", cell: (l) => l.clicks30d.billable.toLocaleString("en-US") },
        { header: "Conversions", align: "right", cell: (l) => l.conversions30d.toLocaleString("en-US") },
        { header: "Conv. rate", align: "right", cell: (l) => rate(l.conversions30d, l.clicks30d.billable) },
      ]}
    />
  );
}
