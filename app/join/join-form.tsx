"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { SchemaForm, TextField, useSchemaForm } from "~/components/accounts/schema-form";
import { useTRPC } from "~/components/trpc/client";
import { Card } from "~/components/ui/page";
import { applyInput } from "~/server/accounts/schema";

export function JoinForm() {
  const trpc = useTRPC();
  const form = useSchemaForm(applyInput, { name: "", email: "", website: "", audience: "", payoutCountry: "", termsAccepted: false as boolean });
  const [done, setDone] = useState(false);
  const join = useMutation(trpc.accounts.join.mutationOptions({ onSuccess: () => setDone(true), onError: (e) => form.fail(e) }));
  if (done)
    return (
      <Card>
        <p role="status" className="text-sm text-emerald-800">
          Thank you: your application is waiting for a program manager. Once it is approved you get a link to set your password.
        </p>
      </Card>
    );
  return (
    <Card>
      <SchemaForm form={form} label="Application" submitLabel="Apply" pendingLabel="Sending…" pending={join.isPending} onValid={(v) => join.mutate({ ...v, termsAccepted: true })}>
        <TextField form={form} name="name" label="Name" autoComplete="name" />
        <TextField form={form} name="email" label="Email" type="email" autoComplete="email" />
        <TextField form={form} name="website" label="Website or channel" hint="Where you will promote the offers (https://…)" />
        <TextField form={form} name="audience" label="Audience" multiline hint="Who they are and how many" />
        <TextField form={form} name="payoutCountry" label="Payout country" hint="Two letters, e.g. DE, US" autoComplete="country" />
        <label className="flex items-start gap-2 text-sm text-slate-700">
          <input type="checkbox" name="termsAccepted" checked={form.values.termsAccepted} onChange={(e) => form.set("termsAccepted", e.target.checked)} className="mt-0.5" />
          <span>
            I accept the program terms
            {form.errors.termsAccepted && <span className="mt-1 block text-xs text-red-700">{form.errors.termsAccepted}</span>}
          </span>
        </label>
      </SchemaForm>
    </Card>
  );
}
