"use client";
// Exchange rates: the latest of each pair with its age (postbacks refuse a rate older than the limit), a form to add
// one (typed as a decimal, sent as text, stored exactly), and the most recently dated rates.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { FormMessage, LabeledInput, inputClass, issuesByField } from "~/components/ui/form";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { SUPPORTED_CURRENCIES } from "~/server/money/amount";

const CURRENCIES = Object.keys(SUPPORTED_CURRENCIES).sort();
const today = () => new Date().toISOString().slice(0, 10);
const blank = () => ({ base: "EUR", quote: "USD", rate: "", asOf: today() });

export function FxRates() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rates = useQuery(trpc.rates.fx.queryOptions());
  const [form, setForm] = useState(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const add = useMutation(
    trpc.rates.addFx.mutationOptions({
      onSuccess: () => {
        setForm({ ...blank(), base: form.base, quote: form.quote });
        setErrors({});
        void queryClient.invalidateQueries({ queryKey: trpc.rates.fx.queryKey() });
      },
      onError: (error) => setErrors(error.data?.code === "CONFLICT" ? { asOf: error.message } : issuesByField(error)),
    }),
  );
  const currencySelect = (field: "base" | "quote") => (
    <select value={form[field]} onChange={(e) => setForm({ ...form, [field]: e.target.value })} className={inputClass}>
      {CURRENCIES.map((c) => (
        <option key={c}>{c}</option>
      ))}
    </select>
  );

  return (
    <Card title="Exchange rates">
      <QueryState query={rates}>
        {(data) => (
          <div className="space-y-6">
            <p className="text-sm text-slate-600">
              A sale in another currency than its offer&apos;s is converted with the latest rate of the pair on or before the sale&apos;s day (either direction), if it is
              at most {data.maxAgeDays} days old; an older one is refused (<code className="text-xs">fx_rate_stale</code>) until a current rate is added here.
            </p>
            {data.pairs.length === 0 ? (
              <EmptyState title="No exchange rates yet">Revenue-share sales in another currency than their offer&apos;s are refused until a rate is added.</EmptyState>
            ) : (
              <div className="pt-5">
                <DataTable
                  label="Latest rate per pair"
                  rows={data.pairs}
                  rowKey={(p) => `${p.base}/${p.quote}`}
                  columns={[
                    { header: "Pair", cell: (p) => `${p.base}/${p.quote}` },
                    { header: "Latest rate", align: "right", cell: (p) => `1 ${p.base} = ${p.rate} ${p.quote}` },
                    { header: "Day", cell: (p) => p.asOf },
                    {
                      header: "Status",
                      cell: (p) =>
                        p.stale ? <Badge tone="red">stale: {p.ageDays} days old, postbacks refuse it</Badge> : <Badge tone="green">{p.ageDays === 0 ? "today" : `${p.ageDays} day${p.ageDays === 1 ? "" : "s"} old`}</Badge>,
                    },
                  ]}
                />
              </div>
            )}
            <form
              aria-label="Add an exchange rate"
              className="grid gap-3 pt-5 sm:grid-cols-[7rem_7rem_1fr_10rem_auto] sm:items-start"
              onSubmit={(e) => {
                e.preventDefault();
                add.mutate(form);
              }}
            >
              <LabeledInput label="Base" error={errors.base}>
                {currencySelect("base")}
              </LabeledInput>
              <LabeledInput label="Quote" error={errors.quote}>
                {currencySelect("quote")}
              </LabeledInput>
              <LabeledInput label="Rate" hint={`1 ${form.base} = this many ${form.quote}`} error={errors.rate}>
                <input name="rate" inputMode="decimal" placeholder="1.0842" value={form.rate} onChange={(e) => setForm({ ...form, rate: e.target.value })} className={inputClass} />
              </LabeledInput>
              <LabeledInput label="Day" error={errors.asOf}>
                <input name="asOf" type="date" max={today()} value={form.asOf} onChange={(e) => setForm({ ...form, asOf: e.target.value })} className={inputClass} />
              </LabeledInput>
              <button type="submit" disabled={add.isPending} className="mt-6 rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
                {add.isPending ? "Adding…" : "Add rate"}
              </button>
            </form>
            {errors._ && <FormMessage tone="error">{errors._}</FormMessage>}
            {data.recent.length > 0 && (
              <div className="pt-5">
                <h3 className="text-sm font-semibold text-slate-900">The {data.recent.length} most recent rates</h3>
                <div className="pt-7">
                  <DataTable
                    label="Recent exchange rates"
                    rows={data.recent}
                    rowKey={(r) => r.id}
                    columns={[
                      { header: "Day", cell: (r) => r.asOf },
                      { header: "Pair", cell: (r) => `${r.base}/${r.quote}` },
                      { header: "Rate", align: "right", cell: (r) => r.rate },
                      { header: "Added", cell: (r) => r.createdAt.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" }) },
                    ]}
                  />
                </div>
              </div>
            )}
          </div>
        )}
      </QueryState>
    </Card>
  );
}
