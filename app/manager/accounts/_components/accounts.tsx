"use client";
// Managers' accounts page: new merchant (with its first user), new manager, and every user with an access reset.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { IssuedLink, SchemaForm, TextField, useSchemaForm } from "~/components/accounts/schema-form";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { FormMessage, SearchForm } from "~/components/ui/form";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { createManagerInput, createMerchantInput } from "~/server/accounts/schema";
import { ROLE_LABEL } from "~/server/auth/roles";

type Issued = { who: string; link: { url: string; expiresAt: Date; mailed: boolean } };

export function Accounts() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [issued, setIssued] = useState<Issued | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.accounts.list.queryKey() });
  const merchant = useSchemaForm(createMerchantInput, { merchantName: "", defaultCurrency: "EUR", name: "", email: "" });
  const manager = useSchemaForm(createManagerInput, { name: "", email: "" });
  const createMerchant = useMutation(
    trpc.accounts.createMerchant.mutationOptions({
      onSuccess: (r, input) => (merchant.reset(), setIssued({ who: input.email, link: r.link }), void refresh()),
      onError: (e) => merchant.fail(e),
    }),
  );
  const createManager = useMutation(
    trpc.accounts.createManager.mutationOptions({
      onSuccess: (r, input) => (manager.reset(), setIssued({ who: input.email, link: r.link }), void refresh()),
      onError: (e) => manager.fail(e),
    }),
  );
  return (
    <div className="space-y-6">
      {issued && <IssuedLink who={issued.who} link={issued.link} />}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="New merchant">
          <SchemaForm form={merchant} label="New merchant" submitLabel="Create merchant" pendingLabel="Creating…" pending={createMerchant.isPending} onValid={(v) => createMerchant.mutate(v)}>
            <TextField form={merchant} name="merchantName" label="Merchant name" />
            <TextField form={merchant} name="defaultCurrency" label="Default currency" hint="Three letters, e.g. EUR" />
            <TextField form={merchant} name="name" label="First user's name" />
            <TextField form={merchant} name="email" label="First user's email" type="email" />
          </SchemaForm>
        </Card>
        <Card title="New manager">
          <SchemaForm form={manager} label="New manager" submitLabel="Create manager" pendingLabel="Creating…" pending={createManager.isPending} onValid={(v) => createManager.mutate(v)}>
            <TextField form={manager} name="name" label="Name" />
            <TextField form={manager} name="email" label="Email" type="email" />
          </SchemaForm>
        </Card>
      </div>
      <Users onIssued={setIssued} />
    </div>
  );
}

function Users({ onIssued }: { onIssued: (issued: Issued) => void }) {
  const trpc = useTRPC();
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState<string | undefined>();
  const list = useQuery(trpc.accounts.list.queryOptions({ search }));
  const reset = useMutation(
    trpc.accounts.resetAccess.mutationOptions({
      onSuccess: (r, input) => onIssued({ who: list.data?.find((u) => u.id === input.userId)?.email ?? "the user", link: r.link }),
    }),
  );
  return (
    <div className="space-y-4">
      <SearchForm label="Name or email" ariaLabel="Find a user" value={typed} onChange={setTyped} onSearch={(text) => setSearch(text || undefined)} />
      {reset.error && <FormMessage tone="error">{reset.error.message}</FormMessage>}
      <QueryState query={list}>
        {(users) => (
          <Card title="Users (first 100)">
            {users.length === 0 ? (
              <EmptyState title="No user matches" />
            ) : (
              <DataTable
                label="Users"
                rows={users}
                rowKey={(u) => u.id}
                columns={[
                  { header: "User", cell: (u) => <span>{u.name} <span className="block text-xs text-slate-500">{u.email}</span></span> },
                  { header: "Role", cell: (u) => `${ROLE_LABEL[u.role]}${u.merchant ? ` · ${u.merchant.name}` : ""}` },
                  { header: "Password", cell: (u) => (u.passwordSet ? <Badge tone="green">set</Badge> : <Badge tone="amber">waiting for the link</Badge>) },
                  {
                    header: "",
                    align: "right",
                    cell: (u) => (u.role === "MANAGER" ? null : <ActionButton label={`Reset access of ${u.email}`} disabled={reset.isPending} onClick={() => reset.mutate({ userId: u.id })} />),
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
