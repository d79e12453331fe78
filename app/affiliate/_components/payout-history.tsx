"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { Badge } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { TableCard } from "~/components/ui/query-table";
import { DataTable } from "~/components/ui/table";
import { formatMoney } from "~/server/money";
import { PAYOUT_METHOD_LABEL } from "~/server/payouts/details";

const TONE = { PENDING: "amber", SENT: "blue", PAID: "green", FAILED: "red", CANCELLED: "gray" } as const;
const LABEL = { PENDING: "being prepared", SENT: "sent, on its way", PAID: "paid", FAILED: "failed", CANCELLED: "cancelled" } as const;

export function PayoutHistory() {
  const trpc = useTRPC();
  const query = useQuery(trpc.payouts.mine.queryOptions());
  const [open, setOpen] = useState<string | null>(null);
  return (
    <TableCard
      title="Payouts"
      query={query}
      empty={{ title: "No payouts yet", hint: "Approved commissions are paid in the program's next payout run." }}
      label="Payouts"
      rowKey={(p) => p.id}
      columns={[
        { header: "Date", cell: (p) => (p.paidAt ?? p.sentAt ?? p.createdAt).toLocaleDateString("en-GB", { dateStyle: "medium" }) },
        {
          header: "Status",
          cell: (p) => (
            <span>
              <Badge tone={TONE[p.status]}>{LABEL[p.status]}</Badge>
              {p.status === "FAILED" && <span className="ml-2 text-xs text-red-700">{p.failureReason}: the amount returns in the next payout</span>}
            </span>
          ),
        },
        { header: "Method", cell: (p) => PAYOUT_METHOD_LABEL[p.method] },
        { header: "Reference", cell: (p) => <code className="text-xs">{p.reference}</code> },
        { header: "Amount", align: "right", cell: (p) => formatMoney(p.amountMinor, p.currency) },
        {
          header: "Statement",
          cell: (p) => (
            <div className="flex gap-3">
              <button type="button" className="text-sm font-medium text-indigo-700 hover:underline" onClick={() => setOpen(open === p.id ? null : p.id)}>
                {open === p.id ? "Hide" : "View"}
              </button>
              <a className="text-sm font-medium text-indigo-700 hover:underline" href={`/api/payouts/statements/${p.id}`}>
                CSV
              </a>
            </div>
          ),
        },
      ]}
      after={() => open && <Statement payoutId={open} />}
    />
  );
}

function Statement({ payoutId }: { payoutId: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.payouts.statement.queryOptions({ payoutId }));
  return (
    <div className="mt-8 rounded-lg border border-slate-200 p-5">
      <QueryState query={query}>
        {({ payout, commissions }) => (
          <div className="space-y-3">
            <h3 className="text-sm font-semibold text-slate-800">
              Statement {payout.reference}: {formatMoney(payout.amountMinor, payout.currency)} for {payout.commissionCount} commissions
            </h3>
            {commissions.length === 0 ? (
              <p className="text-sm text-slate-500">This payout failed: its commissions went back to your balance and are paid in the next run.</p>
            ) : (
              <div className="px-5 py-5">
                <DataTable
                  label={`Statement ${payout.reference}`}
                  rows={commissions}
                  rowKey={(c) => c.id}
                  columns={[
                    { header: "Date", cell: (c) => c.createdAt.toLocaleDateString("en-GB", { dateStyle: "medium" }) },
                    { header: "Offer", cell: (c) => c.offer },
                    { header: "Transaction", cell: (c) => <code className="text-xs">{c.txnId}</code> },
                    { header: "How", cell: (c) => <span className="text-slate-600">{c.calculation || c.kind.toLowerCase()}</span> },
                    { header: "Amount", align: "right", cell: (c) => formatMoney(c.amountMinor, c.currency) },
                  ]}
                />
              </div>
            )}
          </div>
        )}
      </QueryState>
    </div>
  );
}
