"use client";
// The offers an affiliate can promote, a request form for a link, and their requests with each decision.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { SchemaForm, TextField, useSchemaForm } from "~/components/accounts/schema-form";
import { useTRPC } from "~/components/trpc/client";
import { LabeledInput, inputClass } from "~/components/ui/form";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { requestLinkInput } from "~/server/accounts/schema";

const STATUS_TONE = { PENDING: "amber", APPROVED: "green", REJECTED: "red" } as const;

export function OfferRequests() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const offers = useQuery(trpc.linkRequests.offers.queryOptions());
  const mine = useQuery(trpc.linkRequests.mine.queryOptions());
  const form = useSchemaForm(requestLinkInput, { offerId: "", destinationUrl: "", note: "" });
  const [message, setMessage] = useState<string | null>(null);
  const create = useMutation(
    trpc.linkRequests.create.mutationOptions({
      onSuccess: () => {
        form.reset();
        setMessage("Requested: a program manager will decide.");
        void queryClient.invalidateQueries({ queryKey: trpc.linkRequests.mine.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.linkRequests.offers.queryKey() });
      },
      onError: (e) => form.fail(e),
    }),
  );
  const offerName = new Map((offers.data ?? []).map((o) => [o.id, o.name]));
  return (
    <div className="space-y-6">
      <Card title="Request a link">
        <SchemaForm
          form={form}
          label="Request a link"
          submitLabel="Request link"
          pendingLabel="Requesting…"
          pending={create.isPending}
          done={message}
          onValid={(v) => {
            setMessage(null);
            create.mutate(v);
          }}
        >
          <LabeledInput label="Offer" error={form.errors.offerId}>
            <select name="offerId" value={form.values.offerId} onChange={(e) => form.set("offerId", e.target.value)} className={inputClass}>
              <option value="">Choose an offer…</option>
              {(offers.data ?? [])
                .filter((o) => !o.requested)
                .map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name} ({o.merchant.name}){o.hasLink ? " · you have a link" : ""}
                  </option>
                ))}
            </select>
          </LabeledInput>
          <TextField form={form} name="destinationUrl" label="Destination URL" hint="The merchant's page your visitors should land on (https://…)" />
          <TextField form={form} name="note" label="Note for the manager (optional)" />
        </SchemaForm>
      </Card>
      <QueryState query={mine}>
        {(rows) => (
          <Card title="Your requests">
            {rows.length === 0 ? (
              <EmptyState title="No request yet" />
            ) : (
              <DataTable
                label="Your link requests"
                rows={rows}
                rowKey={(r) => r.id}
                columns={[
                  { header: "Offer", cell: (r) => offerName.get(r.offerId) ?? "an offer no longer open" },
                  { header: "Destination", cell: (r) => <span className="break-all text-xs">{r.destinationUrl}</span> },
                  { header: "Status", cell: (r) => <Badge tone={STATUS_TONE[r.status]}>{r.status.toLowerCase()}</Badge> },
                  { header: "Reason", cell: (r) => <span className="text-xs text-slate-600">{r.reason ?? ""}</span> },
                ]}
              />
            )}
          </Card>
        )}
      </QueryState>
    </div>
  );
}
