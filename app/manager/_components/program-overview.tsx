"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { Card, EmptyState, Stat } from "~/components/ui/page";
import { QueryState, Skeleton } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { formatMoney } from "~/server/money";
import { DailyChart } from "./daily-chart";

export function ProgramOverview() {
  const trpc = useTRPC();
  const query = useQuery(trpc.manager.overview.queryOptions());
  return (
    <QueryState query={query} skeleton={<Skeleton rows={6} />}>
      {(o) => (
        <div className="space-y-6">
          <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
            <Stat testId="stat-clicks" label="Clicks" value={o.clicks.toLocaleString("en-US")} hint="Billable (bots excluded)" />
            <Stat testId="stat-conversions" label="Conversions" value={o.conversions.toLocaleString("en-US")} hint={`${o.conversionRate.toFixed(2)}% of clicks`} />
            {o.commissions.length === 0 ? (
              <Stat label="Commissions" value="—" hint="None in this period" />
            ) : (
              o.commissions.map((c) => (
                <Stat
                  key={c.currency}
                  testId={`stat-commissions-${c.currency}`}
                  label={`Commissions ${c.currency}`}
                  value={formatMoney(c.amountMinor, c.currency)}
                  hint={`${c.count.toLocaleString("en-US")} commissions, reversals excluded`}
                />
              ))
            )}
          </div>
          <Card title="Daily clicks and conversions">
            <DailyChart data={o.daily} />
          </Card>
          <Card title="Top affiliates by conversions">
            {o.topAffiliates.length === 0 ? (
              <EmptyState title="No conversions in this period" />
            ) : (
              <DataTable
                label="Top affiliates"
                rows={o.topAffiliates}
                rowKey={(a) => a.id}
                columns={[
                  { header: "Affiliate", cell: (a) => <span className="font-medium text-slate-900">{a.name}</span> },
                  { header: "Conversions", align: "right", cell: (a) => a.conversions.toLocaleString("en-US") },
                ]}
              />
            )}
          </Card>
        </div>
      )}
    </QueryState>
  );
}
