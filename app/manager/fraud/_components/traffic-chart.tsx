"use client";
// The affiliate's traffic around their flags: human and non-billable clicks stacked, conversions as a line (a much
// smaller scale, on its own axis), a red marker where flags were raised. Per hour over days, or per minute over the
// hour around the flagged click — the view that shows a 60-second velocity spike or a one-minute burst, and the one
// shown first when a short-window rule fired.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "~/components/trpc/client";
import { QueryState, Skeleton } from "~/components/ui/query-state";

type Resolution = "hour" | "minute";
type Window = { from: Date; to: Date };

const FORMAT: Record<Resolution, Intl.DateTimeFormatOptions> = {
  hour: { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" },
  minute: { hour: "2-digit", minute: "2-digit", timeZone: "UTC" },
};
const label = (t: number, resolution: Resolution) => new Date(t).toLocaleString("en-GB", FORMAT[resolution]);

export function TrafficChart({ affiliateId, window, detail }: { affiliateId: string; window: Window; detail: Window & { focus: Date; preferred: boolean } }) {
  const trpc = useTRPC();
  const [resolution, setResolution] = useState<Resolution>(detail.preferred ? "minute" : "hour");
  const range = resolution === "minute" ? detail : window;
  const traffic = useQuery(trpc.fraud.traffic.queryOptions({ affiliateId, from: range.from, to: range.to, resolution }));
  const focusMinute = Math.floor(detail.focus.getTime() / 60_000) * 60_000;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-2 text-xs text-slate-600">
        <span>{resolution === "minute" ? `Per minute, ${label(detail.from.getTime(), "hour")} – ${label(detail.to.getTime(), "minute")} UTC (±30 min around the flagged click)` : "Per hour (UTC)"}</span>
        <div role="group" aria-label="Chart resolution" className="inline-flex rounded-md ring-1 ring-inset ring-slate-300">
          {(["hour", "minute"] as const).map((r) => (
            <button
              key={r}
              type="button"
              aria-pressed={resolution === r}
              onClick={() => setResolution(r)}
              className={`px-2.5 py-1 font-medium first:rounded-l-md last:rounded-r-md ${resolution === r ? "bg-indigo-600 text-white" : "text-slate-700 hover:bg-slate-50"}`}
            >
              By {r}
            </button>
          ))}
        </div>
      </div>
      <QueryState query={traffic} skeleton={<Skeleton rows={2} />}>
        {(series) => {
          const data = series.map((b) => ({ t: b.at.getTime(), human: b.clicks - b.nonBillable, nonBillable: b.nonBillable, conversions: b.conversions, flags: b.flags }));
          return (
            <div className="h-48 w-full" data-testid={`traffic-chart-${affiliateId}`} data-resolution={resolution} aria-label={`Clicks, conversions and flags per ${resolution} (UTC)`}>
              <ResponsiveContainer width="100%" height="100%">
                <ComposedChart data={data} margin={{ top: 18, right: 8, bottom: 0, left: -16 }}>
                  <CartesianGrid stroke="#e2e8f0" vertical={false} />
                  <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={(t) => label(Number(t), resolution)} tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} minTickGap={40} />
                  <YAxis yAxisId="clicks" tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
                  <YAxis yAxisId="conversions" orientation="right" tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
                  <Tooltip labelFormatter={(t) => `${label(Number(t), resolution)} UTC`} contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 12 }} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  <Bar yAxisId="clicks" dataKey="human" stackId="clicks" name="Clicks" fill="#c7d2fe" />
                  <Bar yAxisId="clicks" dataKey="nonBillable" stackId="clicks" name="Bots / non-billable" fill="#fca5a5" />
                  <Line yAxisId="conversions" dataKey="conversions" name="Conversions" stroke="#4f46e5" strokeWidth={2} dot={false} type="linear" />
                  {resolution === "minute" && <ReferenceLine yAxisId="clicks" x={focusMinute} stroke="#f59e0b" label={{ value: "flagged click", fontSize: 10, fill: "#b45309", position: "insideTopLeft" }} />}
                  {data
                    .filter((b) => b.flags > 0)
                    .map((b) => (
                      <ReferenceLine key={b.t} yAxisId="clicks" x={b.t} stroke="#dc2626" strokeDasharray="3 3" label={{ value: `${b.flags} flag${b.flags === 1 ? "" : "s"}`, fontSize: 10, fill: "#dc2626", position: "top" }} />
                    ))}
                </ComposedChart>
              </ResponsiveContainer>
            </div>
          );
        }}
      </QueryState>
    </div>
  );
}
