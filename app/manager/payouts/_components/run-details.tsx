"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { formatMoney } from "~/server/money";
import { PAYOUT_METHOD_LABEL } from "~/server/payouts/details";

const BATCH_TONE = { DRAFT: "amber", APPROVED: "blue", EXPORTED: "blue", SENT: "blue", SETTLED: "green", CANCELLED: "gray" } as const;
const PAYOUT_TONE = { PENDING: "amber", SENT: "blue", PAID: "green", FAILED: "red", CANCELLED: "gray" } as const;
const ROWS_PER_FILE: Record<string, number> = { PAYPAL: 5_000, WISE: 1_000 };

export function RunDetails({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const run = useQuery(trpc.payouts.run.queryOptions({ runId }));
  const [lane, setLane] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string; lines?: string[] } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.payouts.pathKey() });
  const options = {
    onSuccess: () => (setMessage(null), refresh()),
    onError: (e: { message: string }) => setMessage({ tone: "error" as const, text: e.message }),
  };
  const approve = useMutation(trpc.payouts.approveBatch.mutationOptions(options));
  const exported = useMutation(trpc.payouts.markExported.mutationOptions(options));
  const sent = useMutation(trpc.payouts.markSent.mutationOptions(options));
  const settle = useMutation(trpc.payouts.settle.mutationOptions(options));
  const cancelBatch = useMutation(trpc.payouts.cancelBatch.mutationOptions(options));
  const cancelRun = useMutation(trpc.payouts.cancel.mutationOptions(options));
  const importResult = useMutation(
    trpc.payouts.importResult.mutationOptions({
      onSuccess: (r) => {
        setMessage({ tone: "ok", text: `Result file read: ${r.paid} paid, ${r.failed} failed${r.waiting ? `, ${r.waiting} still pending at the provider` : ""}.` });
        void refresh();
      },
      onError: options.onError,
    }),
  );
  const busy = [approve, exported, sent, settle, cancelBatch, cancelRun, importResult].some((m) => m.isPending);

  const download = (batchId: string, status: string, part?: number) => {
    window.location.assign(`/api/payouts/batches/${batchId}${part ? `?part=${part}` : ""}`);
    if (status === "APPROVED") exported.mutate({ batchId });
  };
  const upload = (batchId: string) => async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (file) importResult.mutate({ batchId, csv: await file.text() });
  };

  return (
    <Card
      title="Run"
      actions={
        <div className="flex gap-2">
          <a href={`/api/payouts/runs/${runId}`} className="rounded-md px-2.5 py-1 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50">
            Download run CSV
          </a>
          {run.data?.batches.some((b) => ["DRAFT", "APPROVED", "EXPORTED"].includes(b.status)) && (
            <ActionButton label="Cancel unsent lanes" tone="red" disabled={busy} onClick={() => confirm("Cancel every lane not sent yet? Their commissions go back to payable.") && cancelRun.mutate({ runId })} />
          )}
        </div>
      }
    >
      {message && (
        <div role={message.tone === "error" ? "alert" : "status"} className={`mb-4 rounded-md px-4 py-3 text-sm ${message.tone === "error" ? "bg-red-50 text-red-800" : "bg-emerald-50 text-emerald-800"}`}>
          {message.text}
        </div>
      )}
      <QueryState query={run}>
        {(r) => (
          <div className="space-y-6">
            <section>
              <h3 className="mb-2 text-sm font-semibold text-slate-800">Lanes — each one moves on its own</h3>
              <div className="px-5 py-5">
                <DataTable
                  label="Lanes"
                  rows={r.batches}
                  rowKey={(b) => b.id}
                  columns={[
                    { header: "Lane", cell: (b) => <span className="font-medium text-slate-900">{`${PAYOUT_METHOD_LABEL[b.method]} ${b.currency}`}</span> },
                    { header: "Status", cell: (b) => <Badge tone={BATCH_TONE[b.status]}>{b.status.toLowerCase()}</Badge> },
                    { header: "Payouts", align: "right", cell: (b) => b.payoutCount.toLocaleString("en") },
                    { header: "Total", align: "right", cell: (b) => formatMoney(b.totalMinor, b.currency) },
                    {
                      header: "Progress",
                      cell: (b) => <Progress counts={b.statusCounts} />,
                    },
                    {
                      header: "Actions",
                      cell: (b) => {
                        const parts = Math.max(1, Math.ceil(b.payoutCount / (ROWS_PER_FILE[b.method] ?? Number.MAX_SAFE_INTEGER)));
                        const exportable = ["APPROVED", "EXPORTED", "SENT", "SETTLED"].includes(b.status);
                        return (
                          <div className="flex flex-wrap items-center gap-2">
                            <button type="button" className="text-sm font-medium text-indigo-700 hover:underline" onClick={() => setLane(lane === b.id ? null : b.id)}>
                              {lane === b.id ? "Hide payouts" : "Payouts"}
                            </button>
                            {b.status === "DRAFT" && <ActionButton label="Approve" disabled={busy} onClick={() => approve.mutate({ batchId: b.id })} />}
                            {exportable &&
                              Array.from({ length: parts }, (_, i) => (
                                <ActionButton key={i} label={parts > 1 ? `Download file ${i + 1}/${parts}` : `Download ${PAYOUT_METHOD_LABEL[b.method]} file`} disabled={busy} onClick={() => download(b.id, b.status, parts > 1 ? i + 1 : undefined)} />
                              ))}
                            {(b.status === "APPROVED" || b.status === "EXPORTED") && (
                              <ActionButton label="Mark sent" disabled={busy} onClick={() => confirm("Mark this lane sent? Do this once the file is uploaded to the provider.") && sent.mutate({ batchId: b.id })} />
                            )}
                            {b.status === "SENT" && (
                              <>
                                <label className="cursor-pointer rounded-md px-2.5 py-1 text-xs font-medium text-slate-800 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
                                  Upload result file
                                  <input type="file" accept=".csv,text/csv" className="sr-only" aria-label={`Result file for ${PAYOUT_METHOD_LABEL[b.method]} ${b.currency}`} onChange={upload(b.id)} />
                                </label>
                                <ActionButton label="Mark remaining paid" disabled={busy} onClick={() => confirm("Mark every sent payout of this lane paid?") && settle.mutate({ batchId: b.id, settlements: [], rest: "paid" })} />
                              </>
                            )}
                            {["DRAFT", "APPROVED", "EXPORTED"].includes(b.status) && (
                              <ActionButton label="Cancel lane" tone="red" disabled={busy} onClick={() => confirm("Cancel this lane? Its commissions go back to payable.") && cancelBatch.mutate({ batchId: b.id })} />
                            )}
                          </div>
                        );
                      },
                    },
                  ]}
                />
              </div>
            </section>
            {lane && r.batches.some((b) => b.id === lane) && (
              <LanePayouts batchId={lane} busy={busy} onFail={(payout, reason) => settle.mutate({ batchId: lane, settlements: [{ payout, outcome: "failed", reason }] })} onPaid={(payout) => settle.mutate({ batchId: lane, settlements: [{ payout, outcome: "paid" }] })} />
            )}
            <section>
              <h3 className="mb-2 text-sm font-semibold text-slate-800">Carried over ({r.carriedOverCount.toLocaleString("en")}): their commissions wait for the next run</h3>
              {r.carryovers.length === 0 ? (
                <p className="text-sm text-slate-500">Everyone with approved commissions was paid in this run.</p>
              ) : (
                <div className="px-5 py-5">
                  <DataTable
                    label="Carried over"
                    rows={r.carryovers}
                    rowKey={(c) => c.id}
                    columns={[
                      { header: "Affiliate", cell: (c) => <span className="font-medium text-slate-900">{c.affiliate.name}</span> },
                      { header: "Amount", align: "right", cell: (c) => formatMoney(c.amountMinor, c.currency) },
                      { header: "Commissions", align: "right", cell: (c) => c.commissionCount },
                      { header: "Reason", cell: (c) => <span className="text-amber-800">{c.reason}</span> },
                    ]}
                  />
                </div>
              )}
            </section>
          </div>
        )}
      </QueryState>
    </Card>
  );
}

function Progress({ counts }: { counts: Record<string, number> }) {
  const order = ["PAID", "SENT", "PENDING", "FAILED"] as const;
  const total = order.reduce((n, s) => n + (counts[s] ?? 0), 0);
  if (total === 0) return <span className="text-slate-400">—</span>;
  const colour = { PAID: "bg-emerald-500", SENT: "bg-indigo-400", PENDING: "bg-amber-300", FAILED: "bg-red-500" };
  return (
    <div className="w-40" title={order.map((s) => `${counts[s] ?? 0} ${s.toLowerCase()}`).join(", ")}>
      <div className="flex h-2 overflow-hidden rounded bg-slate-100">
        {order.map((s) => (counts[s] ? <div key={s} className={colour[s]} style={{ width: `${(100 * counts[s]) / total}%` }} /> : null))}
      </div>
      <p className="mt-1 text-xs text-slate-500">{order.filter((s) => counts[s]).map((s) => `${counts[s]} ${s.toLowerCase()}`).join(" · ")}</p>
    </div>
  );
}

function LanePayouts({ batchId, busy, onFail, onPaid }: { batchId: string; busy: boolean; onFail: (payout: string, reason: string) => void; onPaid: (payout: string) => void }) {
  const trpc = useTRPC();
  const [after, setAfter] = useState<string | undefined>(undefined);
  const page = useQuery(trpc.payouts.batchPayouts.queryOptions({ batchId, after }));
  return (
    <section>
      <h3 className="mb-2 text-sm font-semibold text-slate-800">Payouts in this lane</h3>
      <QueryState query={page}>
        {(p) =>
          p.payouts.length === 0 ? (
            <EmptyState title="No payouts" />
          ) : (
            <div className="space-y-3 px-5 py-5">
              <DataTable
                label="Payouts in lane"
                rows={p.payouts}
                rowKey={(x) => x.id}
                columns={[
                  { header: "Reference", cell: (x) => <code className="text-xs">{x.reference}</code> },
                  { header: "Affiliate", cell: (x) => <span className="font-medium text-slate-900">{x.affiliate.name}</span> },
                  { header: "Details", cell: (x) => <span className="text-slate-600">{x.details}</span> },
                  { header: "Amount", align: "right", cell: (x) => formatMoney(x.amountMinor, x.currency) },
                  {
                    header: "Status",
                    cell: (x) => (
                      <span>
                        <Badge tone={PAYOUT_TONE[x.status]}>{x.status.toLowerCase()}</Badge>
                        {x.failureReason && <span className="ml-2 text-xs text-red-700">{x.failureReason}</span>}
                      </span>
                    ),
                  },
                  {
                    header: "Actions",
                    cell: (x) =>
                      x.status === "SENT" ? (
                        <div className="flex gap-2">
                          <ActionButton label="Paid" disabled={busy} onClick={() => onPaid(x.id)} />
                          <ActionButton
                            label="Failed…"
                            tone="red"
                            disabled={busy}
                            onClick={() => {
                              const reason = prompt(`Why did ${x.reference} fail? (shown to the affiliate)`);
                              if (reason?.trim()) onFail(x.id, reason.trim());
                            }}
                          />
                        </div>
                      ) : null,
                  },
                ]}
              />
              <div className="flex gap-3 text-sm">
                {after && (
                  <button type="button" className="font-medium text-indigo-700 hover:underline" onClick={() => setAfter(undefined)}>
                    First page
                  </button>
                )}
                {p.next && (
                  <button type="button" className="font-medium text-indigo-700 hover:underline" onClick={() => setAfter(p.next!)}>
                    Next 100
                  </button>
                )}
              </div>
            </div>
          )
        }
      </QueryState>
    </section>
  );
}
