"use client";
// The live page's chart: clicks and conversions per second over the window. Cheap to draw on purpose — it is redrawn
// every second: clicks are one stepped area and conversions one line (two SVG paths, not a rectangle per second),
// and the time axis gets its few ticks given (no label measured per point). A chart of 900 bars with measured
// labels took seconds of the browser's main thread per redraw on a loaded machine (the page draws it deferred, too).
import { memo } from "react";
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const clock = (second: number) => new Date(second * 1000).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** One tick per `every` seconds, on round times, inside [first, last]. */
export function timeTicks(first: number, last: number, every = 180): number[] {
  const ticks: number[] = [];
  for (let t = Math.ceil(first / every) * every; t <= last; t += every) ticks.push(t);
  return ticks;
}

/** Clicks as a stepped area (left axis), conversions as a line (right axis), one point per second. */
export const PerSecondChart = memo(function PerSecondChart({ data }: { data: Array<{ second: number; clicks: number; conversions: number }> }) {
  const first = data[0]?.second ?? 0;
  const last = data.at(-1)?.second ?? 0;
  return (
    <div className="h-64 w-full" data-testid="per-second-chart">
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
          <CartesianGrid stroke="#e2e8f0" vertical={false} />
          <XAxis
            dataKey="second"
            type="number"
            domain={[first, last]}
            ticks={timeTicks(first, last)}
            interval={0}
            tickFormatter={clock}
            tick={{ fontSize: 12, fill: "#64748b" }}
            tickLine={false}
            axisLine={false}
          />
          <YAxis yAxisId="clicks" tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
          <YAxis yAxisId="conversions" orientation="right" tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
          <Tooltip labelFormatter={(s) => clock(Number(s))} contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 13 }} />
          <Legend wrapperStyle={{ fontSize: 13 }} />
          <Area yAxisId="clicks" dataKey="clicks" name="Clicks / s" type="stepAfter" fill="#c7d2fe" stroke="#a5b4fc" fillOpacity={1} dot={false} activeDot={false} isAnimationActive={false} />
          <Line yAxisId="conversions" dataKey="conversions" name="Conversions / s" stroke="#4f46e5" strokeWidth={2} dot={false} activeDot={false} type="stepAfter" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
});
