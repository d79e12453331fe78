"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { formatMoney } from "~/server/money";
import { PAYOUT_METHOD_LABEL } from "~/server/payouts/plan";

export function PayoutHistory() {
  const trpc = useTRPC();
  const query = useQuery(trpc.payouts.mine.queryOptions());
  return (
    <Card title="Payouts">
      <QueryState query={query}>
        {(payouts) =>
          payouts.length === 0 ? (
            <EmptyState title="No payouts yet">Approved commissions are paid in the program's next payout run.</EmptyState>
          ) : (
            <DataTable
              label="Payouts"
              rows={payouts}
              rowKey={(p) => p.id}
              columns={[
                { header: "Date", cell: (p) => (p.run.paidAt ?? p.createdAt).toLocaleDateString("en-GB", { dateStyle: "medium" }) },
                { header: "Status", cell: (p) => <Badge tone={p.run.status === "PAID" ? "green" : "blue"}>{p.run.status === "PAID" ? "paid" : "approved, being sent"}</Badge> },
                { header: "Method", cell: (p) => PAYOUT_METHOD_LABEL[p.method] },
                { header: "Amount", align: "right", cell: (p) => formatMoney(p.amountMinor, p.currency) },
              ]}
            />
          )
        }
      </QueryState>
    </Card>
  );
}
