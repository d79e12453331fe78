"use client";
// One endpoint's deliveries, newest first (keyset pages of 25): status, attempts, last answer, next retry, and
// every attempt's status code, latency and response excerpt. Any delivery can be replayed, except while a relay is
// sending it. Every attempt on this endpoint arrives on the live stream and re-reads the log, so a test event or a
// replay shows its outcome without a reload; only while the stream is down does a pending delivery poll (5 s).
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { LiveIndicator, useLiveRefresh } from "~/components/live/use-live";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";

type Status = "PENDING" | "SUCCEEDED" | "FAILED";
const STATUS_BADGE: Record<Status, { tone: "green" | "amber" | "red"; label: string }> = {
  SUCCEEDED: { tone: "green", label: "delivered" },
  PENDING: { tone: "amber", label: "pending" },
  FAILED: { tone: "red", label: "failed" },
};
const time = (d: Date) => d.toLocaleString("en-GB", { dateStyle: "short", timeStyle: "medium" });

export function DeliveryLog({ endpointId }: { endpointId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<Status | "">("");
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const options = trpc.webhooks.deliveries.infiniteQueryOptions(
    { endpointId, status: status || undefined, limit: 25 },
    { getNextPageParam: (page) => page.nextCursor },
  );
  const live = useLiveRefresh([trpc.webhooks.deliveries.pathKey()], (event) => event.kind === "webhook" && event.data.endpointId === endpointId, 250);
  const log = useInfiniteQuery({
    ...options,
    refetchInterval: (query) => (live !== "live" && query.state.data?.pages.some((p) => p.items.some((d) => d.status === "PENDING")) ? 5_000 : false),
  });
  const replay = useMutation(
    trpc.webhooks.replay.mutationOptions({
      onSuccess: () => (setError(null), queryClient.invalidateQueries({ queryKey: trpc.webhooks.deliveries.pathKey() })),
      onError: (e) => setError(e.message),
    }),
  );

  return (
    <Card
      title="Deliveries"
      actions={
        <div className="flex items-center gap-2">
          <LiveIndicator status={live} />
          <label htmlFor="status-filter" className="text-xs text-slate-500">
            Status
          </label>
          <select
            id="status-filter"
            value={status}
            onChange={(e) => setStatus(e.target.value as Status | "")}
            className="rounded-md border border-slate-300 px-2 py-1 text-xs"
          >
            <option value="">All</option>
            <option value="SUCCEEDED">Delivered</option>
            <option value="PENDING">Pending</option>
            <option value="FAILED">Failed</option>
          </select>
          <ActionButton label="Refresh" onClick={() => void log.refetch()} />
        </div>
      }
    >
      {error && (
        <div role="alert" className="mb-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          {error}
        </div>
      )}
      <QueryState query={log}>
        {(data) => {
          const rows = data.pages.flatMap((p) => p.items);
          const maxAttempts = data.pages[0]?.maxAttempts ?? 0;
          if (rows.length === 0) return <EmptyState title="No deliveries yet">Send a test event from the webhooks page to see one here.</EmptyState>;
          return (
            <div className="-mx-5 -my-5 overflow-x-auto">
              <table className="min-w-full text-sm" aria-label="Deliveries">
                <thead>
                  <tr className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
                    <th className="px-5 py-2.5">Event</th>
                    <th className="px-5 py-2.5">Status</th>
                    <th className="px-5 py-2.5 text-right">Attempts</th>
                    <th className="px-5 py-2.5">Last answer</th>
                    <th className="px-5 py-2.5">Next retry</th>
                    <th className="px-5 py-2.5">Created</th>
                    <th className="px-5 py-2.5" />
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {rows.map((d) => (
                    <Fragment key={d.id}>
                      <tr data-testid="webhook-delivery" className="hover:bg-slate-50/60">
                        <td className="px-5 py-3">
                          <div className="font-mono text-xs text-slate-900">{d.eventType}</div>
                          <div className="font-mono text-xs text-slate-400">{d.eventId}</div>
                        </td>
                        <td className="px-5 py-3">
                          <Badge tone={STATUS_BADGE[d.status].tone}>{STATUS_BADGE[d.status].label}</Badge>
                        </td>
                        <td className="px-5 py-3 text-right tabular-nums" data-testid="delivery-attempts">
                          {d.attempts}/{maxAttempts}
                        </td>
                        <td className="px-5 py-3 text-xs">{d.lastStatusCode ?? d.lastError ?? "—"}</td>
                        <td className="px-5 py-3 text-xs">{d.sending ? "sending now" : d.nextAttemptAt ? time(d.nextAttemptAt) : "—"}</td>
                        <td className="px-5 py-3 text-xs">{time(d.createdAt)}</td>
                        <td className="px-5 py-3">
                          <div className="flex justify-end gap-2">
                            <ActionButton label={open === d.id ? "Hide attempts" : "Attempts"} onClick={() => setOpen(open === d.id ? null : d.id)} />
                            <ActionButton label="Replay" disabled={replay.isPending || d.sending} onClick={() => replay.mutate({ deliveryId: d.id })} />
                          </div>
                        </td>
                      </tr>
                      {open === d.id && (
                        <tr>
                          <td colSpan={7} className="bg-slate-50 px-5 py-3">
                            <Attempts attempts={d.attemptLog} />
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  ))}
                </tbody>
              </table>
              {log.hasNextPage && (
                <div className="border-t border-slate-100 px-5 py-3 text-center">
                  <ActionButton label={log.isFetchingNextPage ? "Loading…" : "Load older deliveries"} disabled={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()} />
                </div>
              )}
            </div>
          );
        }}
      </QueryState>
    </Card>
  );
}

type Attempt = { id: string; attempt: number; statusCode: number | null; latencyMs: number; responseExcerpt: string | null; error: string | null; createdAt: Date };

function Attempts({ attempts }: { attempts: Attempt[] }) {
  if (attempts.length === 0) return <p className="text-xs text-slate-500">Not attempted yet.</p>;
  return (
    <ol className="space-y-2">
      {attempts.map((a) => (
        <li key={a.id} className="rounded-md bg-white p-3 text-xs ring-1 ring-inset ring-slate-200">
          <div className="flex flex-wrap gap-x-4 gap-y-1 text-slate-700">
            <span className="font-medium">Attempt {a.attempt}</span>
            <span>{time(a.createdAt)}</span>
            <span>{a.statusCode !== null ? `HTTP ${a.statusCode}` : "no response"}</span>
            <span>{a.latencyMs} ms</span>
          </div>
          {a.error && <p className="mt-1 text-red-700">{a.error}</p>}
          {a.responseExcerpt && <pre className="mt-2 max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-2 font-mono text-slate-700">{a.responseExcerpt}</pre>}
        </li>
      ))}
    </ol>
  );
}
