"use client";
// The operations report, streamed about once a second by the server's monitor (server/operations). It is built
// from the process's memory, so it keeps coming while the database is down — and says so.
import { useSubscription } from "@trpc/tanstack-react-query";
import { LiveIndicator } from "~/components/live/use-live";
import { useTRPC } from "~/components/trpc/client";
import { Badge, Card } from "~/components/ui/page";
import { Skeleton } from "~/components/ui/query-state";
import type { OpsReport, State } from "~/server/operations/types";

const TONE = { healthy: "green", degraded: "amber", failing: "red" } as const;
const BANNER = {
  healthy: "border-emerald-200 bg-emerald-50 text-emerald-900",
  degraded: "border-amber-200 bg-amber-50 text-amber-900",
  failing: "border-red-200 bg-red-50 text-red-900",
} as const;
const WORDS = { healthy: "Everything is healthy", degraded: "Something is degraded", failing: "Something is failing" } as const;

const clock = (at: number) => new Date(at).toLocaleTimeString("en-GB");
const age = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 3_600_000)} h`);

export function Operations() {
  const trpc = useTRPC();
  const subscription = useSubscription(trpc.live.operations.subscriptionOptions(undefined));
  const report = subscription.data;
  const status = subscription.status === "pending" ? "live" : subscription.status === "error" ? "offline" : "connecting";
  if (!report) return <Skeleton rows={6} />;
  const stale = status !== "live";
  return (
    <div className="space-y-6" data-testid="operations" data-overall={report.overall}>
      <div role="status" className={`flex flex-wrap items-center justify-between gap-4 rounded-xl border px-5 py-4 ${BANNER[report.overall]}`}>
        <div>
          <p className="text-base font-semibold" data-testid="ops-overall">
            {WORDS[report.overall]}
          </p>
          <p className="text-sm opacity-80">
            {report.database.reachable
              ? `Database reachable · report of ${clock(report.at)}`
              : `The database cannot be reached${report.database.since ? ` since ${clock(report.database.since)}` : ""} — figures below come from the servers' memory`}
          </p>
        </div>
        <div className="flex items-center gap-3 text-sm">
          <span>
            {report.instances.filter((i) => !i.stale).length} instance{report.instances.filter((i) => !i.stale).length === 1 ? "" : "s"} reporting
          </span>
          <LiveIndicator status={status} />
        </div>
      </div>
      {stale && (
        <p role="alert" className="rounded-lg border border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900">
          The connection to the server was lost; showing the last report ({clock(report.at)}) while reconnecting.
        </p>
      )}
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {report.components.map((c) => (
          <section key={c.id} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid={`ops-${c.id}`} data-state={c.state}>
            <div className="flex items-center justify-between gap-2">
              <h2 className="text-sm font-semibold text-slate-900">{c.name}</h2>
              <Badge tone={TONE[c.state]}>{c.state}</Badge>
            </div>
            {c.reasons.length > 0 && (
              <ul className="mt-2 space-y-0.5 text-xs text-slate-700">
                {c.reasons.map((r) => (
                  <li key={r}>{r}</li>
                ))}
              </ul>
            )}
            <dl className="mt-3 grid grid-cols-2 gap-x-3 gap-y-1 text-xs">
              {c.figures.map((f) => (
                <div key={f.label} className="contents">
                  <dt className="text-slate-500">{f.label}</dt>
                  <dd className="text-right tabular-nums text-slate-900">{f.value}</dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
      <Card title="Webhook endpoints behind or failing">
        {report.endpoints.length === 0 ? (
          <p className="text-sm text-slate-500">{report.database.reachable ? "Every endpoint is keeping up." : "Unknown while the database cannot be reached."}</p>
        ) : (
          <div className="-mx-5 -my-5 overflow-x-auto">
            <table className="min-w-full text-sm">
              <thead>
                <tr className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
                  <th className="px-5 py-2.5">Endpoint</th>
                  <th className="px-5 py-2.5">Merchant</th>
                  <th className="px-5 py-2.5 text-right">Pending</th>
                  <th className="px-5 py-2.5 text-right">Oldest pending</th>
                  <th className="px-5 py-2.5">Failing</th>
                  <th className="px-5 py-2.5">State</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {report.endpoints.map((e) => (
                  <tr key={e.endpointId}>
                    <td className="max-w-xs truncate px-5 py-2.5 font-mono text-xs">{e.url}</td>
                    <td className="px-5 py-2.5">{e.merchantName}</td>
                    <td className="px-5 py-2.5 text-right tabular-nums">{e.pending.toLocaleString("en")}</td>
                    <td className="px-5 py-2.5 text-right tabular-nums">{e.oldestPendingAt ? age(report.at - e.oldestPendingAt) : "–"}</td>
                    <td className="px-5 py-2.5 text-xs">{!e.enabled && e.disabledReason ? `disabled: ${e.disabledReason}` : e.failingSince ? `since ${age(report.at - e.failingSince)} ago` : "–"}</td>
                    <td className="px-5 py-2.5">
                      <Badge tone={TONE[e.state as State]}>{e.state}</Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <p className="text-xs text-slate-500">
        Instances: {report.instances.map((i) => `${i.id}${i.self ? " (this one)" : ""}${i.stale ? ` (silent since ${clock(i.at)})` : ""}`).join(", ")}
      </p>
    </div>
  );
}

export type { OpsReport };
