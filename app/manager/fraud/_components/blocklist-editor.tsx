"use client";
// The CIDR block list of the non-human-traffic rule: add a range with a label, remove one. The server validates
// and writes CIDRs canonically, and every server reloads the list on commit.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { Card } from "~/components/ui/page";
import { QueryTable } from "~/components/ui/query-table";
import { FormMessage, LabeledInput, inputClass, issuesByField } from "~/components/ui/form";

export function BlocklistEditor() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const blocks = useQuery(trpc.fraud.blocklist.queryOptions());
  const [form, setForm] = useState({ cidr: "", label: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.fraud.blocklist.queryKey() });
  const add = useMutation(
    trpc.fraud.addBlock.mutationOptions({
      onSuccess: () => {
        setForm({ cidr: "", label: "" });
        setErrors({});
        void refresh();
      },
      onError: (error) => setErrors(error.data?.code === "CONFLICT" ? { cidr: error.message } : issuesByField(error)),
    }),
  );
  const remove = useMutation(trpc.fraud.removeBlock.mutationOptions({ onSuccess: () => void refresh(), onError: (error) => setErrors({ _: error.message }) }));

  return (
    <Card title="IP block list (non-human traffic)">
      <form
        aria-label="Add a blocked range"
        className="mb-6 grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate(form);
        }}
      >
        <LabeledInput label="CIDR" error={errors.cidr}>
          <input name="cidr" placeholder="203.0.113.0/24" value={form.cidr} onChange={(e) => setForm({ ...form, cidr: e.target.value })} className={inputClass} />
        </LabeledInput>
        <LabeledInput label="Label" error={errors.label}>
          <input name="label" placeholder="Hosting provider" value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} className={inputClass} />
        </LabeledInput>
        <button type="submit" disabled={add.isPending} className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          {add.isPending ? "Adding…" : "Add range"}
        </button>
      </form>
      {errors._ && <FormMessage tone="error">{errors._}</FormMessage>}
      <QueryTable
        query={blocks}
        empty={{ title: "No blocked ranges", hint: "Clicks and conversions from these ranges are flagged as non-human." }}
        label="Blocked ranges"
        rowKey={(r) => r.id}
        columns={[
          { header: "CIDR", cell: (r) => <code className="text-xs">{r.cidr}</code> },
          { header: "Label", cell: (r) => r.label },
          { header: "Added", cell: (r) => r.createdAt.toLocaleDateString("en-GB", { dateStyle: "medium", timeZone: "UTC" }) },
          { header: "", align: "right", cell: (r) => <ActionButton label="Remove" tone="red" disabled={remove.isPending} onClick={() => remove.mutate({ id: r.id })} /> },
        ]}
      />
    </Card>
  );
}
