"use client";
// The credit report: for a period and a currency, each affiliate's commission (or the revenue they brought) under
// last click — what is paid — and under first-click, linear and position-based credit over the stored touch paths.
// Exact minor units from the server (bigint); the chart shows the ten most paid affiliates, the table the hundred
// most paid and the rest summed in one row.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { FilterSelect } from "~/components/postbacks/filter-select";
import { useTRPC } from "~/components/trpc/client";
import { Card, EmptyState } from "~/components/ui/page";
import { QueryState, Skeleton } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import type { RouterOutputs } from "~/server/api/types";
import { formatMoney } from "~/server/money";

type Report = RouterOutputs["conversions"]["credit"];
type Measure = "commission" | "revenue";

const COLUMNS = [
  { key: "paid", label: "Last click (paid)", colour: "#4f46e5" },
  { key: "first_click", label: "First click", colour: "#0ea5e9" },
  { key: "linear", label: "Linear", colour: "#10b981" },
  { key: "position_based", label: "Position-based", colour: "#f59e0b" },
] as const;

const PERIODS = [7, 30, 90, 365].map((days) => ({ value: String(days), label: `Last ${days} days` }));
const MEASURES = [
  { value: "commission", label: "Commission" },
  { value: "revenue", label: "Revenue (sales)" },
];
const CHART_AFFILIATES = 10;

export function CreditReport() {
  const trpc = useTRPC();
  const [days, setDays] = useState("30");
  const [measure, setMeasure] = useState<Measure>("commission");
  const [currency, setCurrency] = useState("");
  const report = useQuery(trpc.conversions.credit.queryOptions({ days: Number(days), measure, currency: currency || undefined }));
  const currencies = report.data?.currencies ?? [];

  return (
    <Card title="Credit by attribution model">
      <div className="mb-5 flex flex-wrap items-end gap-3 text-sm">
        <FilterSelect label="Period" value={days} onChange={(v) => setDays(v)} choices={PERIODS} all={false} />
        <FilterSelect<Measure> label="Measure" value={measure} onChange={(v) => setMeasure(v || "commission")} choices={MEASURES} all={false} />
        <FilterSelect
          label="Currency"
          value={currency}
          onChange={setCurrency}
          choices={currencies.map((c) => ({ value: c, label: c }))}
          all={report.data?.currency && !currency ? `${report.data.currency} (most used)` : "Most used"}
        />
      </div>
      <QueryState query={report} skeleton={<Skeleton rows={8} />}>
        {(data) => (data.rows.length === 0 ? <EmptyState title="No conversions in this period">Conversions appear here once postbacks record them.</EmptyState> : <Details report={data} />)}
      </QueryState>
    </Card>
  );
}

function Details({ report }: { report: Report }) {
  const currency = report.currency!;
  const money = (minor: bigint | number) => formatMoney(minor, currency);
  const chart = report.rows.slice(0, CHART_AFFILIATES).map((r) => ({
    name: r.name,
    ...Object.fromEntries(COLUMNS.map((c) => [c.key, Number(r[c.key])])), // exact: far below 2^53 minor units
  }));
  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-600" data-testid="credit-summary">
        {report.conversions} conversion{report.conversions === 1 ? "" : "s"} worth {money(report.total)} ({report.measure}); {report.multiTouch} reached through more than one
        click, where the models differ. Payment follows last click (or the affiliate who first won the customer); the other columns show how the same{" "}
        {report.measure} would split over each conversion&apos;s touches (position-based: 40% first, 40% last, 20% shared by those between). Each column adds up to the
        same total, to the cent.
      </p>
      <div className="h-80 w-full" data-testid="credit-chart" role="img" aria-label={`Credit under each model for the ${chart.length} most paid affiliates`}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={chart} margin={{ top: 8, right: 8, bottom: 0, left: 24 }}>
            <CartesianGrid stroke="#e2e8f0" vertical={false} />
            <XAxis dataKey="name" tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} interval={0} angle={-20} textAnchor="end" height={60} />
            <YAxis tickFormatter={(v: number) => money(Math.round(v))} tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} allowDecimals={false} />
            <Tooltip formatter={(v) => money(Number(v))} contentStyle={{ borderRadius: 8, borderColor: "#e2e8f0", fontSize: 13 }} />
            <Legend wrapperStyle={{ fontSize: 13 }} itemSorter={(item) => COLUMNS.findIndex((c) => c.key === item.dataKey)} />
            {COLUMNS.map((c) => (
              <Bar key={c.key} dataKey={c.key} name={c.label} fill={c.colour} radius={[3, 3, 0, 0]} />
            ))}
          </BarChart>
        </ResponsiveContainer>
      </div>
      <DataTable
        label="Credit by affiliate"
        rows={report.others ? [...report.rows, { affiliateId: "(others)", name: `${report.others.affiliates.toLocaleString("en")} other affiliates`, ...report.others }] : report.rows}
        rowKey={(r) => r.affiliateId}
        columns={[
          { header: "Affiliate", cell: (r) => r.name },
          ...COLUMNS.map((c) => ({ header: c.label, align: "right" as const, cell: (r: Report["rows"][number]) => money(r[c.key]) })),
        ]}
      />
    </div>
  );
}
