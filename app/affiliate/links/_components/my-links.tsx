"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { CopyButton } from "~/components/ui/copy-button";
import { Badge } from "~/components/ui/page";
import { TableCard } from "~/components/ui/query-table";

const n = (value: number) => value.toLocaleString("en-US");

export function MyLinks() {
  const trpc = useTRPC();
  const query = useQuery(trpc.links.mine.queryOptions());
  return (
    <TableCard
      title="Links"
      query={query}
      empty={{ title: "No links yet", hint: "Ask your program manager for a link to an offer." }}
      label="Your tracking links"
      rowKey={(l) => l.id}
      columns={[
        {
          header: "Tracking URL",
          cell: (l) => (
            <div className="flex items-center gap-2">
              <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800" data-testid="tracking-url">
                {l.trackingUrl}
              </code>
              <CopyButton text={l.trackingUrl} />
            </div>
          ),
        },
        {
          header: "Offer",
          cell: (l) => (
            <div>
              <div className="font-medium text-slate-900">{l.offer.name}</div>
              <div className="max-w-xs truncate text-xs text-slate-500" title={l.destinationUrl}>
                → {l.destinationUrl}
              </div>
            </div>
          ),
        },
        { header: "Status", cell: (l) => (l.active ? <Badge tone="green">Active</Badge> : <Badge>Disabled</Badge>) },
        { header: "Clicks (30d)", align: "right", cell: (l) => n(l.clicks30d.total) },
        { header: "Billable", align: "right", cell: (l) => n(l.clicks30d.billable) },
        { header: "Bots", align: "right", cell: (l) => n(l.clicks30d.bots) },
        { header: "Repeats", align: "right", cell: (l) => n(l.clicks30d.repeats) },
      ]}
    />
  );
}
