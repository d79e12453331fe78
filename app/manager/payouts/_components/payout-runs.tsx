"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { Badge, Card, EmptyState, Stat } from "~/components/ui/page";
import { QueryState, Skeleton } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { formatMoney } from "~/server/money";
import { PAYOUT_METHOD_LABEL } from "~/server/payouts/plan";

const STATUS_TONE = { DRAFT: "amber", APPROVED: "blue", PAID: "green", CANCELLED: "gray" } as const;

type Totals = { currency: string; amountMinor: number }[];
const formatTotals = (totals: Totals) => (totals.length ? totals.map((t) => formatMoney(t.amountMinor, t.currency)).join(" · ") : "—");

export function PayoutRuns() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const payable = useQuery(trpc.payouts.payable.queryOptions());
  const runs = useQuery(trpc.payouts.runs.queryOptions());
  const [openRun, setOpenRun] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.payouts.pathKey() });
  const mutationOptions = { onSuccess: () => (setError(null), refresh()), onError: (e: { message: string }) => setError(e.message) };
  const create = useMutation(trpc.payouts.create.mutationOptions({ ...mutationOptions, onSuccess: (r) => (setOpenRun(r.runId), mutationOptions.onSuccess()) }));
  const approve = useMutation(trpc.payouts.approve.mutationOptions(mutationOptions));
  const markPaid = useMutation(trpc.payouts.markPaid.mutationOptions(mutationOptions));
  const cancel = useMutation(trpc.payouts.cancel.mutationOptions(mutationOptions));
  const busy = create.isPending || approve.isPending || markPaid.isPending || cancel.isPending;

  return (
    <div className="space-y-6">
      {error && (
        <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {error}
        </div>
      )}
      <Card
        title="Waiting to be paid"
        actions={
          <button
            type="button"
            disabled={busy || !payable.data?.length}
            onClick={() => create.mutate({})}
            className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
          >
            {create.isPending ? "Creating…" : "Create payout run"}
          </button>
        }
      >
        <QueryState query={payable}>
          {(rows) =>
            rows.length === 0 ? (
              <EmptyState title="Nothing to pay">Approved commissions appear here until a run includes them.</EmptyState>
            ) : (
              <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
                {rows.map((r) => (
                  <Stat key={r.currency} testId={`payable-${r.currency}`} label={`Payable ${r.currency}`} value={formatMoney(r.amountMinor, r.currency)} hint={`${r.commissions} approved commissions`} />
                ))}
              </div>
            )
          }
        </QueryState>
      </Card>

      <Card title="Payout runs">
        <QueryState query={runs} skeleton={<Skeleton rows={4} />}>
          {(list) =>
            list.length === 0 ? (
              <EmptyState title="No payout runs yet" />
            ) : (
              <DataTable
                label="Payout runs"
                rows={list}
                rowKey={(r) => r.id}
                columns={[
                  { header: "Created", cell: (r) => r.createdAt.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) },
                  { header: "Status", cell: (r) => <Badge tone={STATUS_TONE[r.status]}>{r.status.toLowerCase()}</Badge> },
                  { header: "Affiliates", align: "right", cell: (r) => r.payoutCount },
                  { header: "Total", align: "right", cell: (r) => formatTotals(r.totals) },
                  {
                    header: "Actions",
                    cell: (r) => (
                      <div className="flex flex-wrap gap-2">
                        <button type="button" className="text-sm font-medium text-indigo-700 hover:underline" onClick={() => setOpenRun(openRun === r.id ? null : r.id)}>
                          {openRun === r.id ? "Hide" : "Details"}
                        </button>
                        {r.status === "DRAFT" && (
                          <ActionButton label="Approve" disabled={busy} onClick={() => approve.mutate({ runId: r.id })} />
                        )}
                        {r.status === "APPROVED" && (
                          <ActionButton
                            label="Mark paid"
                            disabled={busy}
                            onClick={() => confirm("Mark this run paid? Its commissions become paid.") && markPaid.mutate({ runId: r.id })}
                          />
                        )}
                        {(r.status === "DRAFT" || r.status === "APPROVED") && (
                          <ActionButton label="Cancel" tone="red" disabled={busy} onClick={() => confirm("Cancel this run? Its commissions go back to payable.") && cancel.mutate({ runId: r.id })} />
                        )}
                      </div>
                    ),
                  },
                ]}
              />
            )
          }
        </QueryState>
      </Card>
      {openRun && <RunDetails runId={openRun} />}
    </div>
  );
}

function RunDetails({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const run = useQuery(trpc.payouts.run.queryOptions({ runId }));
  return (
    <Card title="Payouts in this run">
      <QueryState query={run}>
        {(r) =>
          r.payouts.length === 0 ? (
            <EmptyState title="This run pays nobody" />
          ) : (
            <DataTable
              label="Payouts in run"
              rows={r.payouts}
              rowKey={(p) => p.id}
              columns={[
                { header: "Affiliate", cell: (p) => <span className="font-medium text-slate-900">{p.affiliate.name}</span> },
                { header: "Method", cell: (p) => PAYOUT_METHOD_LABEL[p.method] },
                { header: "Commissions", align: "right", cell: (p) => p._count.commissions },
                { header: "Amount", align: "right", cell: (p) => formatMoney(p.amountMinor, p.currency) },
              ]}
            />
          )
        }
      </QueryState>
    </Card>
  );
}
