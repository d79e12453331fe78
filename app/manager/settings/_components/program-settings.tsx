"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { type FieldErrors, FormMessage, LabeledInput, SubmitButton, fieldErrors, inputClass } from "~/components/ui/form";
import { Card } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { updateProgramSettingsInput } from "~/server/program/schema";

export function ProgramSettingsForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.program.settings.queryOptions());
  const [form, setForm] = useState({ name: "", fallbackUrl: "" });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (settings.data) setForm({ name: settings.data.name, fallbackUrl: settings.data.fallbackUrl ?? "" });
  }, [settings.data]);
  const update = useMutation(
    trpc.program.updateSettings.mutationOptions({
      onSuccess: () => {
        setSaved(true);
        void queryClient.invalidateQueries({ queryKey: trpc.program.settings.queryKey() });
      },
      onError: (error) => setErrors(fieldErrors(error)),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const checked = updateProgramSettingsInput.safeParse(form);
    if (!checked.success) return setErrors(fieldErrors(checked.error));
    setErrors({});
    update.mutate(form);
  };

  return (
    <Card title="Program">
      <QueryState query={settings}>
        {() => (
          <form onSubmit={submit} noValidate className="max-w-xl space-y-4">
            <LabeledInput label="Program name" error={errors.name}>
              <input name="name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} className={inputClass} />
            </LabeledInput>
            <LabeledInput
              label="Fallback URL"
              error={errors.fallbackUrl}
              hint="Where a visitor of an unknown or disabled tracking link is sent (for example your marketplace's home page). Empty: they see a “Link not found” page."
            >
              <input name="fallbackUrl" type="url" placeholder="https://www.example.com/" value={form.fallbackUrl} onChange={(e) => setForm({ ...form, fallbackUrl: e.target.value })} className={inputClass} />
            </LabeledInput>
            <div className="flex items-center gap-4">
              <SubmitButton pending={update.isPending} label="Save settings" pendingLabel="Saving…" />
              {saved && <FormMessage tone="ok">Saved. Every server uses the new fallback within a second.</FormMessage>}
              {update.error && !update.error.data?.zodError && <FormMessage tone="error">{update.error.message}</FormMessage>}
            </div>
          </form>
        )}
      </QueryState>
    </Card>
  );
}
