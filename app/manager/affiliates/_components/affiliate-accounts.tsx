"use client";
// The program's affiliates: find one, see whether they can work (status, login, live links), suspend them with a
// reason (confirmed in place) or reactivate them. The server audits every change.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { FormMessage, LabeledInput, SearchForm, inputClass, issuesByField } from "~/components/ui/form";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { PAYOUT_METHOD_LABEL } from "~/server/payouts/details";
import { DataTable } from "~/components/ui/table";
import type { RouterOutputs } from "~/server/api/types";

type Affiliate = RouterOutputs["manager"]["affiliates"]["affiliates"][number];
type Status = "all" | "active" | "suspended";

const joined = (d: Date) => d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

export function AffiliateAccounts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState("");
  const [filter, setFilter] = useState<{ search?: string; status: Status }>({ status: "all" });
  const [suspending, setSuspending] = useState<Affiliate | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const list = useQuery(trpc.manager.affiliates.queryOptions(filter));
  const change = useMutation(
    trpc.manager.setAffiliateActive.mutationOptions({
      onSuccess: (_result, input) => {
        void queryClient.invalidateQueries({ queryKey: trpc.manager.affiliates.queryKey() });
        const name = list.data?.affiliates.find((a) => a.id === input.affiliateId)?.name ?? "The affiliate";
        setSuspending(null);
        setMessage(
          input.active
            ? `${name} is active again: their links redirect within a second and they can sign in.`
            : `${name} is suspended: their links stop within a second and their access has ended.`,
        );
      },
    }),
  );

  return (
    <div className="space-y-6">
      <SearchForm label="Affiliate name or email" ariaLabel="Find an affiliate" value={typed} onChange={setTyped} onSearch={(text) => setFilter({ ...filter, search: text || undefined })}>
        <LabeledInput label="Status">
          <select value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value as Status })} className={inputClass}>
            <option value="all">All</option>
            <option value="active">Active</option>
            <option value="suspended">Suspended</option>
          </select>
        </LabeledInput>
      </SearchForm>
      {message && <FormMessage tone="ok">{message}</FormMessage>}
      {change.error && !suspending && <FormMessage tone="error">{change.error.message}</FormMessage>}
      {suspending && (
        <SuspendForm
          key={suspending.id}
          affiliate={suspending}
          pending={change.isPending}
          error={change.error}
          onSubmit={(reason) => change.mutate({ affiliateId: suspending.id, active: false, reason })}
          onCancel={() => {
            change.reset();
            setSuspending(null);
          }}
        />
      )}
      <QueryState query={list}>
        {({ affiliates, total }) => (
          <Card title={`Affiliates${total > affiliates.length ? ` (first ${affiliates.length} of ${total}: search to narrow)` : ` (${total})`}`}>
            {affiliates.length === 0 ? (
              <EmptyState title="No affiliate matches">Search by part of a name or an email address, or show every status.</EmptyState>
            ) : (
              <DataTable
                label="Affiliates"
                rows={affiliates}
                rowKey={(a) => a.id}
                columns={[
                  { header: "Affiliate", cell: (a) => <span>{a.name} <span className="block text-xs text-slate-500">{a.email}</span></span> },
                  { header: "Login", cell: (a) => a.login ?? <span className="text-slate-400">no login</span> },
                  { header: "Live links", align: "right", cell: (a) => (a.active ? a.activeLinks : <span className="text-slate-400">0 of {a.activeLinks}</span>) },
                  { header: "Joined", cell: (a) => joined(a.createdAt) },
                  {
                    header: "Payouts",
                    cell: (a) => (a.payoutBlocker ? <span className="text-xs text-amber-800">not payable: {a.payoutBlocker}</span> : <span className="text-xs text-slate-600">{PAYOUT_METHOD_LABEL[a.payoutMethod]}</span>),
                  },
                  { header: "Status", cell: (a) => (a.active ? <Badge tone="green">active</Badge> : <Badge tone="red">suspended</Badge>) },
                  {
                    header: "",
                    align: "right",
                    cell: (a) =>
                      a.active ? (
                        <ActionButton
                          label={`Suspend ${a.name}`}
                          tone="red"
                          onClick={() => {
                            change.reset();
                            setMessage(null);
                            setSuspending(a);
                          }}
                        />
                      ) : (
                        <ActionButton
                          label={`Reactivate ${a.name}`}
                          disabled={change.isPending}
                          onClick={() => {
                            setMessage(null);
                            setSuspending(null);
                            change.mutate({ affiliateId: a.id, active: true });
                          }}
                        />
                      ),
                  },
                ]}
              />
            )}
          </Card>
        )}
      </QueryState>
    </div>
  );
}

function SuspendForm({
  affiliate,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  affiliate: Affiliate;
  pending: boolean;
  error: { message: string } | null;
  onSubmit: (reason: string) => void;
  onCancel: () => void;
}) {
  const [reason, setReason] = useState("");
  const errors = error ? issuesByField(error) : {};
  const other = errors.reason ? undefined : (errors._ ?? Object.values(errors)[0]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(reason);
  };
  return (
    <Card title={`Suspend ${affiliate.name}?`}>
      <form onSubmit={submit} aria-label={`Suspend ${affiliate.name}`} className="max-w-xl space-y-4">
        <p className="text-sm text-slate-600">
          Their {affiliate.activeLinks} live {affiliate.activeLinks === 1 ? "link stops" : "links stop"} redirecting within a second (visitors get the
          program&apos;s fallback or a “Link not found” page), and {affiliate.login ? `${affiliate.login} is signed out and cannot sign in` : "they have no login"}.
        </p>
        <LabeledInput label="Reason (kept in the audit log)" error={errors.reason}>
          <textarea name="reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} className={inputClass} />
        </LabeledInput>
        <div className="flex items-center gap-3">
          <button type="submit" disabled={pending} className="rounded-md bg-red-600 px-3 py-2 text-sm font-medium text-white hover:bg-red-500 disabled:opacity-50">
            {pending ? "Suspending…" : `Suspend ${affiliate.name}`}
          </button>
          <button type="button" onClick={onCancel} className="rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100">
            Cancel
          </button>
          {other && <FormMessage tone="error">{other}</FormMessage>}
        </div>
      </form>
    </Card>
  );
}
