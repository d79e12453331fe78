"use client";
// The affiliate's traffic per hour around their flags: human and non-billable clicks stacked, conversions as a
// line (a much smaller scale, on its own axis), a red marker at each hour a flag was raised.
import { useQuery } from "@tanstack/react-query";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useTRPC } from "~/components/trpc/client";
import { QueryState, Skeleton } from "~/components/ui/query-state";

const hourLabel = (t: number) =>
  new Date(t).toLocaleString("en-GB", { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

export function TrafficChart({ affiliateId, window }: { affiliateId: string; window: { from: Date; to: Date } }) {
  const trpc = useTRPC();
  const traffic = useQuery(trpc.fraud.traffic.queryOptions({ affiliateId, from: window.from, to: window.to }));
  return (
    <QueryState query={traffic} skeleton={<Skeleton rows={2} />}>
      {(series) => {
        const data = series.map((h) => ({ t: h.hour.getTime(), human: h.clicks - h.nonBillable, nonBillable: h.nonBillable, conversions: h.conversions, flags: h.flags }));
        return (
          <div className="h-48 w-full" data-testid={`traffic-chart-${affiliateId}`} aria-label="Clicks, conversions and flags per hour (UTC)">
            <ResponsiveContainer width="100%" height="100%">
              <ComposedChart data={data} margin={{ top: 18, right: 8, bottom: 0, left: -16 }}>
                <CartesianGrid stroke="#e2e8f0" vertical={false} />
                <XAxis dataKey="t" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={hourLabel} tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} minTickGap={40} />
                <YAxis yAxisId="clicks" tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
                <YAxis yAxisId="conversions" orientation="right" tick={{ fontSize: 11, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
                <Tooltip labelFormatter={(t) => `${hourLabel(Number(t))} UTC`} contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 12 }} />
                <Legend wrapperStyle={{ fontSize: 12 }} />
                <Bar yAxisId="clicks" dataKey="human" stackId="clicks" name="Clicks" fill="#c7d2fe" />
                <Bar yAxisId="clicks" dataKey="nonBillable" stackId="clicks" name="Bots / non-billable" fill="#fca5a5" />
                <Line yAxisId="conversions" dataKey="conversions" name="Conversions" stroke="#4f46e5" strokeWidth={2} dot={false} type="linear" />
                {data
                  .filter((h) => h.flags > 0)
                  .map((h) => (
                    <ReferenceLine key={h.t} yAxisId="clicks" x={h.t} stroke="#dc2626" strokeDasharray="3 3" label={{ value: `${h.flags} flag${h.flags === 1 ? "" : "s"}`, fontSize: 10, fill: "#dc2626", position: "top" }} />
                  ))}
              </ComposedChart>
            </ResponsiveContainer>
          </div>
        );
      }}
    </QueryState>
  );
}
