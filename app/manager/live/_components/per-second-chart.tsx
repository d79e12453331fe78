"use client";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const clock = (second: number) => new Date(second * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** Clicks as bars (left axis), conversions as a line (right axis), one point per second. */
export function PerSecondChart({ data }: { data: Array<{ second: number; clicks: number; conversions: number }> }) {
  return (
    <div className="h-64 w-full" data-testid="per-second-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="second" tickFormatter={clock} tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} minTickGap={48} />
          <YAxis yAxisId="clicks" tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
          <YAxis yAxisId="conversions" orientation="right" tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
          <Tooltip labelFormatter={(s) => clock(Number(s))} contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 13 }} />
          <Legend wrapperStyle={{ fontSize: 13 }} />
          <Bar yAxisId="clicks" dataKey="clicks" name="Clicks / s" fill="#c7d2fe" isAnimationActive={false} />
          <Line yAxisId="conversions" dataKey="conversions" name="Conversions / s" stroke="#4f46e5" strokeWidth={2} dot={false} type="stepAfter" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
