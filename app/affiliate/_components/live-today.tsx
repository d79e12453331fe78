"use client";
// Today so far (UTC): clicks, conversions and commission, re-read whenever the live stream brings one of the
// affiliate's own clicks (per-second summaries), sales or commission changes.
import { useQuery } from "@tanstack/react-query";
import { LiveIndicator, useLiveRefresh } from "~/components/live/use-live";
import { useTRPC } from "~/components/trpc/client";
import { formatMoney } from "~/server/money";

export function LiveToday() {
  const trpc = useTRPC();
  const today = useQuery(trpc.live.today.queryOptions(undefined, { staleTime: 0 }));
  const live = useLiveRefresh([trpc.live.today.queryKey()], (e) => e.kind === "clicks" || e.kind === "postback" || e.kind === "commission", 300);
  const data = today.data;
  return (
    <section aria-label="Today so far" className="flex flex-wrap items-center gap-x-8 gap-y-2 rounded-xl border border-indigo-100 bg-indigo-50/60 px-5 py-3" data-testid="live-today">
      <div className="flex items-center gap-3">
        <span className="text-xs font-semibold uppercase tracking-wide text-indigo-900">Today</span>
        <LiveIndicator status={live} />
      </div>
      <Figure label="clicks" value={data ? data.clicks.toLocaleString("en") : "…"} testId="today-clicks" />
      <Figure label="conversions" value={data ? data.conversions.toLocaleString("en") : "…"} testId="today-conversions" />
      <Figure
        label="commission"
        value={data ? (data.commission.length ? data.commission.map((c) => formatMoney(c.amountMinor, c.currency)).join(" · ") : "none yet") : "…"}
        testId="today-commission"
      />
      {today.isError && <span className="text-xs text-red-700">Could not load today's figures: {today.error.message}</span>}
    </section>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="flex items-baseline gap-1.5">
      <span className="text-lg font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {value}
      </span>
      <span className="text-xs text-slate-500">{label}</span>
    </div>
  );
}
