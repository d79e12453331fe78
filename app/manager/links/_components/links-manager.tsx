"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { AffiliateSearch, useAffiliateChoices } from "~/components/affiliates/affiliate-choices";
import { useTRPC } from "~/components/trpc/client";
import { CopyButton } from "~/components/ui/copy-button";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState, Skeleton } from "~/components/ui/query-state";
import { type FieldErrors, LabeledInput, fieldErrors, inputClass } from "~/components/ui/form";
import { DataTable } from "~/components/ui/table";
import { createLinkInput, destinationSchema } from "~/server/links/schema";

function Choice({ options, value, onChange, ...field }: { label: string; error?: string; value: string; onChange: (e: { target: { value: string } }) => void; options: [string, string][] }) {
  return (
    <LabeledInput {...field}>
      <select className={inputClass} value={value} onChange={onChange}>
        <option value="">Choose…</option>
        {options.map(([id, name]) => (
          <option key={id} value={id}>
            {name}
          </option>
        ))}
      </select>
    </LabeledInput>
  );
}

function Alert({ children }: { children: ReactNode }) {
  return (
    <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
      {children}
    </div>
  );
}

export function LinksManager() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.links.list.pathKey() });
  return (
    <div className="space-y-6">
      <CreateLinkForm onCreated={refresh} />
      <LinksList onChanged={refresh} />
    </div>
  );
}

function CreateLinkForm({ onCreated }: { onCreated: () => void }) {
  const trpc = useTRPC();
  const options = useQuery(trpc.links.formOptions.queryOptions());
  const [form, setForm] = useState({ slug: "", affiliateId: "", offerId: "", destinationUrl: "" });
  const affiliates = useAffiliateChoices(form.affiliateId);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const create = useMutation(
    trpc.links.create.mutationOptions({
      onSuccess: (link) => {
        setCreated(link.slug);
        setForm({ slug: "", affiliateId: form.affiliateId, offerId: form.offerId, destinationUrl: "" });
        onCreated();
      },
      onError: (error) => {
        const fields = fieldErrors(error);
        setErrors(error.data?.code === "CONFLICT" ? { slug: error.message } : fields);
        setFailure(error.data?.code === "CONFLICT" || Object.keys(fields).length ? null : error.message);
      },
    }),
  );
  const set = (key: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setCreated(null);
    setFailure(null);
    const parsed = createLinkInput.safeParse(form);
    if (!parsed.success) return setErrors(fieldErrors(parsed.error));
    setErrors({});
    create.mutate(parsed.data);
  };
  return (
    <Card title="New link">
      <QueryState query={options} skeleton={<Skeleton rows={2} />}>
        {({ offers }) => (
          <form onSubmit={submit} noValidate className="grid gap-4 md:grid-cols-2" aria-label="New link">
            <LabeledInput label="Slug" error={errors.slug}>
              <input className={inputClass} value={form.slug} onChange={set("slug")} placeholder="spring-sale" autoComplete="off" />
            </LabeledInput>
            <LabeledInput label="Destination URL" error={errors.destinationUrl}>
              <input className={inputClass} value={form.destinationUrl} onChange={set("destinationUrl")} placeholder="https://shop.example/landing" />
            </LabeledInput>
            <div className="grid gap-2 sm:grid-cols-[1fr_2fr] sm:items-end">
              <AffiliateSearch {...affiliates} />
              <Choice label="Affiliate" error={errors.affiliateId} value={form.affiliateId} onChange={set("affiliateId")} options={affiliates.choices.map((a) => [a.value, a.label])} />
            </div>
            <Choice label="Offer" error={errors.offerId} value={form.offerId} onChange={set("offerId")} options={offers.map((o) => [o.id, `${o.name} (${o.merchant.name})`])} />
            <div className="flex items-center gap-4 md:col-span-2">
              <button type="submit" disabled={create.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
                {create.isPending ? "Creating…" : "Create link"}
              </button>
              {created && (
                <span role="status" className="text-sm text-emerald-700">
                  Created /go/{created}
                </span>
              )}
            </div>
            {failure && (
              <div className="md:col-span-2">
                <Alert>{failure}</Alert>
              </div>
            )}
          </form>
        )}
      </QueryState>
    </Card>
  );
}

function LinksList({ onChanged }: { onChanged: () => void }) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const list = useQuery(trpc.links.list.queryOptions({ search: search || undefined, page }));
  const handlers = { onSuccess: () => (setFailure(null), onChanged()), onError: (e: { message: string }) => setFailure(e.message) };
  const disable = useMutation(trpc.links.disable.mutationOptions(handlers));
  const enable = useMutation(trpc.links.update.mutationOptions(handlers));
  return (
    <Card
      title="All links"
      actions={
        <input
          type="search"
          aria-label="Search links"
          placeholder="Search slug, affiliate, offer…"
          value={search}
          onChange={(e) => (setSearch(e.target.value), setPage(1))}
          className="w-64 rounded-md border border-slate-300 px-3 py-1 text-sm"
        />
      }
    >
      {failure && <Alert>{failure}</Alert>}
      <QueryState query={list} skeleton={<Skeleton rows={5} />}>
        {({ items, total, pageSize }) =>
          items.length === 0 ? (
            <EmptyState title={search ? "No link matches" : "No links yet"}>{search ? "Try another search." : "Create the first one above."}</EmptyState>
          ) : (
            <div className="space-y-4">
              <DataTable
                label="Links"
                rows={items}
                rowKey={(l) => l.id}
                columns={[
                  {
                    header: "Link",
                    cell: (l) => (
                      <div className="flex items-center gap-2">
                        <code className="text-xs text-slate-800">/go/{l.slug}</code>
                        <CopyButton text={l.trackingUrl} />
                      </div>
                    ),
                  },
                  { header: "Affiliate", cell: (l) => l.affiliate.name },
                  { header: "Offer", cell: (l) => l.offer.name },
                  {
                    header: "Destination",
                    cell: (l) =>
                      editing === l.id ? (
                        <EditLink link={l} onDone={() => (setEditing(null), onChanged())} />
                      ) : (
                        <span className="block max-w-xs truncate text-slate-600" title={l.destinationUrl}>
                          {l.destinationUrl}
                        </span>
                      ),
                  },
                  { header: "Status", cell: (l) => (l.active ? <Badge tone="green">Active</Badge> : <Badge>Disabled</Badge>) },
                  { header: "Clicks (30d)", align: "right", cell: (l) => <span title={`${l.clicks30d.billable} billable, ${l.clicks30d.bots} bots`}>{l.clicks30d.total.toLocaleString("en-US")}</span> },
                  {
                    header: "Actions",
                    cell: (l) => (
                      <div className="flex gap-2">
                        {editing !== l.id && (
                          <button type="button" className="text-xs font-medium text-indigo-700 hover:underline" onClick={() => setEditing(l.id)}>
                            Edit
                          </button>
                        )}
                        {l.active ? (
                          <button type="button" className="text-xs font-medium text-red-700 hover:underline" disabled={disable.isPending} onClick={() => disable.mutate({ id: l.id })}>
                            Disable
                          </button>
                        ) : (
                          <button type="button" className="text-xs font-medium text-emerald-700 hover:underline" disabled={enable.isPending} onClick={() => enable.mutate({ id: l.id, active: true })}>
                            Enable
                          </button>
                        )}
                      </div>
                    ),
                  },
                ]}
              />
              <div className="flex items-center justify-between text-sm text-slate-600">
                <span>
                  {total.toLocaleString("en-US")} links · page {page} of {Math.max(1, Math.ceil(total / pageSize))}
                </span>
                <div className="flex gap-2">
                  <button type="button" disabled={page === 1} onClick={() => setPage(page - 1)} className="rounded-md px-2 py-1 ring-1 ring-slate-300 disabled:opacity-40">
                    Previous
                  </button>
                  <button type="button" disabled={page * pageSize >= total} onClick={() => setPage(page + 1)} className="rounded-md px-2 py-1 ring-1 ring-slate-300 disabled:opacity-40">
                    Next
                  </button>
                </div>
              </div>
            </div>
          )
        }
      </QueryState>
    </Card>
  );
}

function EditLink({ link, onDone }: { link: { id: number; destinationUrl: string }; onDone: () => void }) {
  const trpc = useTRPC();
  const [value, setValue] = useState(link.destinationUrl);
  const [error, setError] = useState<string | null>(null);
  const update = useMutation(trpc.links.update.mutationOptions({ onSuccess: onDone, onError: (e) => setError(fieldErrors(e).destinationUrl ?? e.message) }));
  const save = (e: FormEvent) => {
    e.preventDefault();
    const parsed = destinationSchema.safeParse(value);
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? "Invalid URL.");
    update.mutate({ id: link.id, destinationUrl: parsed.data });
  };
  return (
    <form onSubmit={save} noValidate className="space-y-1" aria-label={`Edit destination of link ${link.id}`}>
      <input aria-label="Destination URL" className={inputClass} value={value} onChange={(e) => setValue(e.target.value)} />
      {error && <span className="block text-xs text-red-700">{error}</span>}
      <div className="flex gap-2">
        <button type="submit" disabled={update.isPending} className="rounded-md bg-indigo-600 px-2 py-0.5 text-xs font-medium text-white disabled:opacity-50">
          Save
        </button>
        <button type="button" onClick={onDone} className="text-xs text-slate-600 hover:underline">
          Cancel
        </button>
      </div>
    </form>
  );
}
