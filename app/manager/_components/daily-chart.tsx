"use client";
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const shortDay = (day: string) => new Date(`${day}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });

/** Clicks as bars on the left axis, conversions as a line on the right: their scales differ by ~20x. */
export function DailyChart({ data }: { data: Array<{ day: string; clicks: number; conversions: number }> }) {
  return (
    <div className="h-72 w-full" data-testid="daily-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} minTickGap={24} />
          <YAxis yAxisId="clicks" tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
          <YAxis yAxisId="conversions" orientation="right" tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
          <Tooltip labelFormatter={(day) => shortDay(String(day))} contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 13 }} />
          <Legend wrapperStyle={{ fontSize: 13 }} />
          <Bar yAxisId="clicks" dataKey="clicks" name="Clicks" fill="#c7d2fe" radius={[3, 3, 0, 0]} />
          <Line yAxisId="conversions" dataKey="conversions" name="Conversions" stroke="#4f46e5" strokeWidth={2} dot={false} type="monotone" />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
