"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { Badge, Card, EmptyState, Stat } from "~/components/ui/page";
import { QueryState, Skeleton } from "~/components/ui/query-state";
import { QueryTable } from "~/components/ui/query-table";
import { DataTable } from "~/components/ui/table";
import { formatMoney } from "~/server/money";
import { RunDetails } from "./run-details";

export const RUN_TONE = { DRAFT: "amber", APPROVED: "blue", PAID: "green", CANCELLED: "gray" } as const;
const RUN_LABEL = { DRAFT: "draft", APPROVED: "in progress", PAID: "paid", CANCELLED: "cancelled" } as const;

type Totals = { currency: string; amountMinor: bigint }[];
export const formatTotals = (totals: Totals) => (totals.length ? totals.map((t) => formatMoney(t.amountMinor, t.currency)).join(" · ") : "—");

export function PayoutRuns() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const preview = useQuery(trpc.payouts.payable.queryOptions());
  const runs = useQuery(trpc.payouts.runs.queryOptions());
  const [openRun, setOpenRun] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.payouts.pathKey() });
  const create = useMutation(
    trpc.payouts.create.mutationOptions({
      onSuccess: (r) => {
        setError(null);
        setOpenRun(r.runId);
        void refresh();
      },
      onError: (e) => setError(e.message),
    }),
  );
  const waiting = preview.data?.payable.reduce((n, p) => n + p.commissions, 0) ?? 0;

  return (
    <div className="space-y-6">
      {error && (
        <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {error}
        </div>
      )}
      <Card
        title="Next run"
        actions={
          <button
            type="button"
            disabled={create.isPending || !preview.data?.payable.length}
            onClick={() => create.mutate({})}
            className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
          >
            {create.isPending ? "Creating…" : "Create payout run"}
          </button>
        }
      >
        {create.isPending && <CreateProgress commissions={waiting} />}
        <QueryState query={preview}>
          {(p) => (
            <div className="space-y-5">
              {p.payable.length === 0 ? (
                <EmptyState title="Nothing to pay">Approved commissions of payable affiliates appear here until a run includes them.</EmptyState>
              ) : (
                <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
                  {p.payable.map((r) => (
                    <Stat
                      key={r.currency}
                      testId={`payable-${r.currency}`}
                      label={`Payable ${r.currency}`}
                      value={formatMoney(r.amountMinor, r.currency)}
                      hint={`${r.affiliates.toLocaleString("en")} affiliates · ${r.commissions.toLocaleString("en")} commissions`}
                    />
                  ))}
                </div>
              )}
              {p.notPayableCount > 0 && (
                <div>
                  <h3 className="mb-2 text-sm font-semibold text-slate-800">
                    Not payable ({p.notPayableCount.toLocaleString("en")}): carried over by the next run until this changes
                  </h3>
                  <div className="px-5 py-5">
                    <DataTable
                      label="Not payable"
                      rows={p.notPayable}
                      rowKey={(r) => `${r.affiliateId}-${r.currency}`}
                      columns={[
                        { header: "Affiliate", cell: (r) => <span className="font-medium text-slate-900">{r.name}</span> },
                        { header: "Waiting", align: "right", cell: (r) => formatMoney(r.amountMinor, r.currency) },
                        { header: "Reason", cell: (r) => <span className="text-amber-800">{r.reason}</span> },
                      ]}
                    />
                  </div>
                </div>
              )}
            </div>
          )}
        </QueryState>
      </Card>

      <Card title="Payout runs">
        <QueryTable
          query={runs}
          empty={{ title: "No payout runs yet" }}
          skeleton={<Skeleton rows={4} />}
          label="Payout runs"
          rowKey={(r) => r.id}
          columns={[
            { header: "Created", cell: (r) => r.createdAt.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) },
            { header: "Status", cell: (r) => <Badge tone={RUN_TONE[r.status]}>{RUN_LABEL[r.status]}</Badge> },
            { header: "Lanes", cell: (r) => r.batches.length },
            { header: "Payouts", align: "right", cell: (r) => r.payoutCount.toLocaleString("en") },
            { header: "Carried over", align: "right", cell: (r) => r.carriedOver.toLocaleString("en") },
            { header: "Total", align: "right", cell: (r) => formatTotals(r.totals) },
            {
              header: "Details",
              cell: (r) => (
                <button type="button" className="text-sm font-medium text-indigo-700 hover:underline" onClick={() => setOpenRun(openRun === r.id ? null : r.id)}>
                  {openRun === r.id ? "Hide" : "Open"}
                </button>
              ),
            },
          ]}
        />
      </Card>
      {openRun && <RunDetails runId={openRun} />}
    </div>
  );
}

/** Creating a run on a large program takes seconds: say what is happening and for how long. */
function CreateProgress({ commissions }: { commissions: number }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 250);
    return () => clearInterval(timer);
  }, []);
  return (
    <div role="status" aria-label="Creating payout run" className="mb-4 rounded-md border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-900">
      <p>
        Reserving {commissions.toLocaleString("en")} approved commissions into lanes… {seconds > 0 && `${seconds} s`}
      </p>
      <div className="mt-2 h-1.5 overflow-hidden rounded bg-indigo-100">
        <div className="h-full w-1/3 animate-[progress_1.2s_ease-in-out_infinite] rounded bg-indigo-500" style={{ animationName: "pulse" }} />
      </div>
    </div>
  );
}
