"use client";
// Postback set-up: the URL template with every macro (copy it into your platform), the token (rotate it to see a
// new one, once), a test postback that runs the real checks without recording anything, and the reason codes.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { CopyButton } from "~/components/ui/copy-button";
import { Card } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";

export function PostbackSetup() {
  const trpc = useTRPC();
  const setup = useQuery(trpc.postbacks.setup.queryOptions());
  return (
    <QueryState query={setup}>
      {(s) => (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Your postback URL" className="lg:col-span-2">
            <p className="text-sm text-slate-600">
              Call it from your server when a sale happens (GET as below, or POST the same parameters as JSON or a form). Replace the
              <code className="mx-1 rounded bg-slate-100 px-1">{"{macros}"}</code>with your platform&apos;s values and
              <code className="mx-1 rounded bg-slate-100 px-1">YOUR_TOKEN</code>with your token (or send it as the
              <code className="mx-1 rounded bg-slate-100 px-1">x-postback-token</code>header).
            </p>
            <div className="mt-3 flex items-start gap-2">
              <pre data-testid="postback-template" className="flex-1 overflow-x-auto whitespace-pre-wrap break-all rounded-lg bg-slate-900 p-3 font-mono text-xs text-slate-100">
                {s.template}
              </pre>
              <CopyButton text={s.template} label="Copy URL" />
            </div>
            <div className="mt-4">
              <DataTable
                label="Postback parameters"
                rows={s.parameters}
                rowKey={(p) => p.param}
                columns={[
                  { header: "Parameter", cell: (p) => <code className="font-mono text-xs">{p.param}</code> },
                  { header: "Macro", cell: (p) => <code className="font-mono text-xs">{p.macro}</code> },
                  { header: "Required", cell: (p) => (p.required ? "yes" : "no") },
                  { header: "Meaning", cell: (p) => <span className="text-slate-600">{p.description}</span> },
                ]}
              />
            </div>
          </Card>
          <TokenCard prefix={s.tokenPrefix} />
          <TestPostback defaultCurrency={s.defaultCurrency} />
          <Card title="Reason codes" className="lg:col-span-2">
            <p className="mb-3 text-sm text-slate-600">Every rejection is a 4xx JSON body <code className="rounded bg-slate-100 px-1">{'{"error":{"code","message"}}'}</code> with one of these stable codes. 503 means: retry later, nothing was recorded.</p>
            <DataTable
              label="Reason codes"
              rows={s.reasons}
              rowKey={(r) => r.code}
              columns={[
                { header: "Code", cell: (r) => <code className="font-mono text-xs">{r.code}</code> },
                { header: "HTTP", align: "right", cell: (r) => r.status },
                { header: "Meaning", cell: (r) => <span className="text-slate-600">{r.message}</span> },
              ]}
            />
          </Card>
        </div>
      )}
    </QueryState>
  );
}

function TokenCard({ prefix }: { prefix: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rotate = useMutation(trpc.postbacks.rotateToken.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.postbacks.setup.queryKey() }) }));
  return (
    <Card title="Token">
      <p className="text-sm text-slate-600">
        Your current token starts with <code className="rounded bg-slate-100 px-1 font-mono">{prefix}…</code>. We keep only its hash, so we cannot show it again.
      </p>
      {rotate.data ? (
        <div role="status" className="mt-3 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm">
          <p className="font-medium text-amber-900">Your new token — copy it now, it is shown only once. The old token no longer works.</p>
          <div className="mt-2 flex items-center gap-2">
            <code data-testid="new-token" className="break-all font-mono text-xs">{rotate.data.token}</code>
            <CopyButton text={rotate.data.token} />
          </div>
        </div>
      ) : (
        <button
          type="button"
          disabled={rotate.isPending}
          onClick={() => confirm("Create a new token? The current one stops working immediately.") && rotate.mutate()}
          className="mt-3 rounded-md px-3 py-1.5 text-sm font-medium text-red-700 ring-1 ring-inset ring-red-200 hover:bg-red-50 disabled:opacity-50"
        >
          {rotate.isPending ? "Rotating…" : "Rotate token"}
        </button>
      )}
      {rotate.error && <p role="alert" className="mt-2 text-sm text-red-700">{rotate.error.message}</p>}
    </Card>
  );
}

function TestPostback({ defaultCurrency }: { defaultCurrency: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [amount, setAmount] = useState("49.90");
  const [currency, setCurrency] = useState(defaultCurrency);
  const send = useMutation(trpc.postbacks.sendTest.mutationOptions({ onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.postbacks.log.pathKey() }) }));
  const fieldErrors = (send.error?.data as { zodError?: { fieldErrors?: Record<string, string[]> } } | undefined)?.zodError?.fieldErrors;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate({ amount: amount.trim() || undefined, currency: currency.trim() || undefined });
  };
  const result = send.data;
  return (
    <Card title="Send a test postback">
      <p className="text-sm text-slate-600">
        Runs a real postback for a fresh click on one of your links through every check (token, click signature, attribution window, amount, currency,
        commission) and shows the answer. Nothing is recorded except a <code className="rounded bg-slate-100 px-1">test</code> line in the log.
      </p>
      <form onSubmit={submit} className="mt-3 flex flex-wrap items-end gap-3 text-sm">
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-600">Amount</span>
          <input value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="decimal" className="w-28 rounded-md border border-slate-300 px-2 py-1.5" aria-invalid={!!fieldErrors?.amount} />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-600">Currency</span>
          <input value={currency} onChange={(e) => setCurrency(e.target.value)} maxLength={3} className="w-20 rounded-md border border-slate-300 px-2 py-1.5 uppercase" aria-invalid={!!fieldErrors?.currency} />
        </label>
        <button type="submit" disabled={send.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          {send.isPending ? "Sending…" : "Send test postback"}
        </button>
      </form>
      {fieldErrors && <p role="alert" className="mt-2 text-sm text-red-700">{Object.values(fieldErrors).flat().join(" ")}</p>}
      {send.error && !fieldErrors && <p role="alert" className="mt-2 text-sm text-red-700">{send.error.message}</p>}
      {result && !result.ok && <p role="alert" className="mt-3 text-sm text-amber-800">{result.message}</p>}
      {result?.ok && (
        <div data-testid="test-result" className={`mt-3 rounded-lg border p-3 text-sm ${result.httpStatus === 200 ? "border-emerald-200 bg-emerald-50" : "border-red-200 bg-red-50"}`}>
          <p className="font-medium">
            HTTP {result.httpStatus} · link <code className="font-mono">{result.linkSlug}</code>
          </p>
          <p className="mt-1 text-slate-700">{String(result.body.message ?? (result.body.error as { message?: string } | undefined)?.message ?? "")}</p>
          <pre className="mt-2 overflow-x-auto rounded bg-white p-2 text-xs ring-1 ring-slate-200">{JSON.stringify(result.body, null, 2)}</pre>
        </div>
      )}
    </Card>
  );
}
