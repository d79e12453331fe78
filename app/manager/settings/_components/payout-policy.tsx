"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { FormMessage, LabeledInput, SubmitButton, inputClass, issuesByField } from "~/components/ui/form";
import { Card } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { minorToDecimal } from "~/server/money";
import { parseAmount } from "~/server/money/amount";

type Row = { currency: string; amount: string };

/** Minimum payout per currency (smaller balances carry over), the default holding period, the schedule hint. */
export function PayoutPolicyForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const policy = useQuery(trpc.payouts.policy.queryOptions());
  const [rows, setRows] = useState<Row[]>([]);
  const [holding, setHolding] = useState("30");
  const [schedule, setSchedule] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!policy.data) return;
    setRows(Object.entries(policy.data.minimums).map(([currency, minor]) => ({ currency, amount: minorToDecimal(minor, currency) })));
    setHolding(String(policy.data.defaultHoldingDays));
    setSchedule(policy.data.schedule);
  }, [policy.data]);
  const update = useMutation(
    trpc.payouts.updatePolicy.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        void queryClient.invalidateQueries({ queryKey: trpc.payouts.pathKey() });
      },
      onError: (e) => setError(Object.values(issuesByField(e))[0] ?? e.message),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const minimums: Record<string, number> = {};
    for (const row of rows.filter((r) => r.currency.trim() || r.amount.trim())) {
      const parsed = parseAmount(row.amount.trim(), row.currency.trim());
      if (!parsed.ok) return setError(`${row.currency || "Currency"}: ${parsed.message}`);
      minimums[parsed.currency] = parsed.minor;
    }
    const days = Number(holding);
    if (!Number.isInteger(days) || days < 0 || days > 365) return setError("The holding period is a whole number of days, 0 to 365.");
    setError(null);
    update.mutate({ minimums, defaultHoldingDays: days, schedule });
  };
  return (
    <Card title="Payout policy">
      <QueryState query={policy}>
        {() => (
          <form onSubmit={submit} noValidate className="max-w-xl space-y-4">
            <div>
              <p className="text-sm font-medium text-slate-700">Minimum payout per currency</p>
              <p className="text-xs text-slate-500">An affiliate whose balance in a currency is below its minimum is carried over to the next run (shown with the reason).</p>
              <div className="mt-2 space-y-2">
                {rows.map((row, i) => (
                  <div key={i} className="flex items-center gap-2">
                    <input aria-label={`Currency ${i + 1}`} value={row.currency} maxLength={3} onChange={(e) => setRows(rows.map((r, j) => (j === i ? { ...r, currency: e.target.value.toUpperCase() } : r)))} className={`${inputClass} !mt-0 w-24`} />
                    <input aria-label={`Minimum ${i + 1}`} value={row.amount} inputMode="decimal" onChange={(e) => setRows(rows.map((r, j) => (j === i ? { ...r, amount: e.target.value } : r)))} className={`${inputClass} !mt-0 w-40`} />
                    <button type="button" className="text-sm text-red-700 hover:underline" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                      Remove
                    </button>
                  </div>
                ))}
                <button type="button" className="text-sm font-medium text-indigo-700 hover:underline" onClick={() => setRows([...rows, { currency: "", amount: "" }])}>
                  Add a currency
                </button>
              </div>
            </div>
            <LabeledInput label="Default holding period (days)" hint="The program default affiliates are told; each offer keeps its own holding period (Rates).">
              <input name="defaultHoldingDays" value={holding} inputMode="numeric" onChange={(e) => setHolding(e.target.value)} className={inputClass} />
            </LabeledInput>
            <LabeledInput label="Payout schedule" hint="Shown to affiliates, e.g. “monthly, NET-15”.">
              <input name="payoutSchedule" value={schedule} onChange={(e) => setSchedule(e.target.value)} className={inputClass} />
            </LabeledInput>
            <div className="flex items-center gap-4">
              <SubmitButton pending={update.isPending} label="Save payout policy" pendingLabel="Saving…" />
              {saved && <FormMessage tone="ok">Saved. The next run uses these minimums.</FormMessage>}
              {error && <FormMessage tone="error">{error}</FormMessage>}
            </div>
          </form>
        )}
      </QueryState>
    </Card>
  );
}
