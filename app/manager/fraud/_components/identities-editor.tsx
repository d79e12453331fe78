"use client";
// Affiliates' own identities for the self-referral rule: find an affiliate, see their listed IPs, customer ids and
// recent sign-in IPs, edit the lists (one entry per line) or forget a sign-in IP. The server validates every IP,
// writes them canonically and audits the change; every server's engine reloads them on commit.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import type { RouterOutputs } from "~/server/api/types";
import { FormMessage, LabeledInput, SearchForm, inputClass, issuesByField } from "~/components/ui/form";

type Affiliate = RouterOutputs["fraud"]["identities"]["affiliates"][number];

const lines = (text: string) => text.split(/[\n,]/).map((l) => l.trim()).filter(Boolean);

function List({ items, empty = "none" }: { items: string[]; empty?: string }) {
  if (items.length === 0) return <span className="text-slate-400">{empty}</span>;
  return (
    <ul className="space-y-0.5">
      {items.map((item) => (
        <li key={item}>
          <code className="text-xs">{item}</code>
        </li>
      ))}
    </ul>
  );
}

export function IdentitiesEditor({ initialSearch }: { initialSearch: string }) {
  const trpc = useTRPC();
  const [typed, setTyped] = useState(initialSearch);
  const [search, setSearch] = useState(initialSearch);
  const [editing, setEditing] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const identities = useQuery(trpc.fraud.identities.queryOptions({ search: search || undefined }));

  return (
    <div className="space-y-6">
      <SearchForm
        label="Affiliate name or email"
        ariaLabel="Find an affiliate"
        value={typed}
        onChange={setTyped}
        onSearch={(text) => {
          setSearch(text);
          setEditing(null);
        }}
      />
      {saved && <FormMessage tone="ok">{saved}</FormMessage>}
      <QueryState query={identities}>
        {({ affiliates, total }) => {
          const current = affiliates.find((a) => a.id === editing);
          return (
            <>
              {current && (
                <IdentityForm
                  key={current.id}
                  affiliate={current}
                  onClose={(message) => {
                    setEditing(null);
                    setSaved(message);
                  }}
                />
              )}
              <Card title={`Affiliates${total > affiliates.length ? ` (first ${affiliates.length} of ${total}: search to narrow)` : ""}`}>
                {affiliates.length === 0 ? (
                  <EmptyState title="No affiliate matches">Search by part of a name or an email address.</EmptyState>
                ) : (
                  <DataTable
                    label="Affiliates' own IPs and customers"
                    rows={affiliates}
                    rowKey={(a) => a.id}
                    columns={[
                      { header: "Affiliate", cell: (a) => <span>{a.name} <span className="block text-xs text-slate-500">{a.email}</span></span> },
                      { header: "Known IPs", cell: (a) => <List items={a.knownIps} /> },
                      { header: "Known customer ids", cell: (a) => <List items={a.knownCustomers} /> },
                      { header: "Recent sign-in IPs", cell: (a) => <List items={a.signInIps} empty="none recorded" /> },
                      {
                        header: "",
                        align: "right",
                        cell: (a) => (
                          <ActionButton
                            label={`Edit ${a.email}`}
                            onClick={() => {
                              setSaved(null);
                              setEditing(a.id);
                            }}
                          />
                        ),
                      },
                    ]}
                  />
                )}
              </Card>
            </>
          );
        }}
      </QueryState>
    </div>
  );
}

function IdentityForm({ affiliate, onClose }: { affiliate: Affiliate; onClose: (message: string | null) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [ips, setIps] = useState(affiliate.knownIps.join("\n"));
  const [customers, setCustomers] = useState(affiliate.knownCustomers.join("\n"));
  const [forget, setForget] = useState<Set<string>>(new Set());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const update = useMutation(
    trpc.fraud.updateIdentities.mutationOptions({
      onSuccess: (saved) => {
        void queryClient.invalidateQueries({ queryKey: trpc.fraud.identities.queryKey() });
        onClose(`Saved for ${saved.email}: applies to the next conversion on every server.`);
      },
      onError: (error) => setErrors(issuesByField(error)),
    }),
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    update.mutate({ affiliateId: affiliate.id, knownIps: lines(ips), knownCustomers: lines(customers), forgetSignInIps: [...forget] });
  };
  return (
    <Card title={`Own IPs and customers of ${affiliate.name}`}>
      <form onSubmit={submit} aria-label={`Identities of ${affiliate.email}`} className="space-y-4">
        <div className="grid gap-4 md:grid-cols-2">
          <LabeledInput label="Known IPs (one per line)" hint="IPv4 or IPv6 addresses, e.g. 203.0.113.7" error={errors.knownIps}>
            <textarea name="knownIps" rows={5} value={ips} onChange={(e) => setIps(e.target.value)} className={`${inputClass} font-mono`} />
          </LabeledInput>
          <LabeledInput label="Known customer ids (one per line)" hint="As the merchant sends them in customer_id" error={errors.knownCustomers}>
            <textarea name="knownCustomers" rows={5} value={customers} onChange={(e) => setCustomers(e.target.value)} className={`${inputClass} font-mono`} />
          </LabeledInput>
        </div>
        <fieldset className="text-sm">
          <legend className="font-medium text-slate-700">Recent sign-in IPs (recorded automatically, newest first)</legend>
          {affiliate.signInIps.length === 0 ? (
            <p className="mt-1 text-slate-500">None recorded yet.</p>
          ) : (
            <ul className="mt-1 space-y-1">
              {affiliate.signInIps.map((ip) => (
                <li key={ip}>
                  <label className="inline-flex items-center gap-2">
                    <input
                      type="checkbox"
                      className="h-4 w-4"
                      checked={forget.has(ip)}
                      onChange={() =>
                        setForget((current) => {
                          const next = new Set(current);
                          if (next.has(ip)) next.delete(ip);
                          else next.add(ip);
                          return next;
                        })
                      }
                    />
                    Forget <code className="text-xs">{ip}</code>
                  </label>
                </li>
              ))}
            </ul>
          )}
          <p className="mt-1 text-xs text-slate-500">Forget an address many people share (a mobile carrier, a café): it is recorded again at the next sign-in from it.</p>
        </fieldset>
        {errors._ && <FormMessage tone="error">{errors._}</FormMessage>}
        <div className="flex gap-2">
          <button type="submit" disabled={update.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
            {update.isPending ? "Saving…" : "Save"}
          </button>
          <button type="button" onClick={() => onClose(null)} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
            Cancel
          </button>
        </div>
      </form>
    </Card>
  );
}
