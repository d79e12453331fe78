"use client";
// Forms of joining and accounts: one zod schema checks the input in the browser (each field's message beside it)
// and again on the server (the same messages, from data.zodError); what was typed stays in the fields either way.
import { type FormEvent, type ReactNode, useState } from "react";
import type { z } from "zod";
import { type FieldErrors, FormMessage, LabeledInput, SubmitButton, fieldErrors, inputClass } from "~/components/ui/form";

type ServerError = Exclude<Parameters<typeof fieldErrors>[0], z.ZodError>;
type Values = Record<string, string | boolean>;

export function useSchemaForm<V extends Values>(schema: z.ZodType, initial: V) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  return {
    values,
    errors,
    formError,
    set: <K extends keyof V>(key: K, value: V[K]) => setValues((v) => ({ ...v, [key]: value })),
    reset: () => setValues(initial),
    /** The values when the schema accepts them; otherwise null, with each field's message shown. */
    check(): V | null {
      setFormError(null);
      const parsed = schema.safeParse(values);
      setErrors(parsed.success ? {} : fieldErrors(parsed.error));
      return parsed.success ? values : null;
    },
    /** A refusal from the server: the fields it names, or the message for the form. */
    fail(error: ServerError) {
      const fields = fieldErrors(error);
      setErrors(fields);
      setFormError(Object.values(fields).some(Boolean) ? null : error.message);
    },
  };
}

type Form<V extends Values> = ReturnType<typeof useSchemaForm<V>>;

export function TextField<V extends Values>({
  form,
  name,
  label,
  type = "text",
  hint,
  multiline,
  autoComplete,
}: {
  form: Form<V>;
  name: keyof V & string;
  label: string;
  type?: string;
  hint?: ReactNode;
  multiline?: boolean;
  autoComplete?: string;
}) {
  const props = {
    name,
    value: String(form.values[name] ?? ""),
    "aria-invalid": form.errors[name] ? true : undefined,
    className: inputClass,
    autoComplete,
  };
  return (
    <LabeledInput label={label} hint={hint} error={form.errors[name]}>
      {multiline ? (
        <textarea {...props} rows={3} onChange={(e) => form.set(name, e.target.value as V[typeof name])} />
      ) : (
        <input {...props} type={type} onChange={(e) => form.set(name, e.target.value as V[typeof name])} />
      )}
    </LabeledInput>
  );
}

export function SchemaForm<V extends Values>({
  form,
  label,
  submitLabel,
  pendingLabel,
  pending,
  onValid,
  done,
  children,
}: {
  form: Form<V>;
  label: string;
  submitLabel: string;
  pendingLabel: string;
  pending: boolean;
  onValid: (values: V) => void;
  /** What the last submit did (shown under the button). */
  done?: string | null;
  children: ReactNode;
}) {
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const values = form.check();
    if (values) onValid(values);
  };
  return (
    <form onSubmit={submit} aria-label={label} className="max-w-xl space-y-4" noValidate>
      {children}
      {form.formError && <FormMessage tone="error">{form.formError}</FormMessage>}
      <SubmitButton pending={pending} label={submitLabel} pendingLabel={pendingLabel} />
      {done && <FormMessage tone="ok">{done}</FormMessage>}
    </form>
  );
}

/** A one-time link for the manager to send (and whether it was mailed too). */
export function IssuedLink({ who, link }: { who: string; link: { url: string; expiresAt: Date; mailed: boolean } }) {
  return (
    <div role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
      <p>
        {link.mailed ? `Mailed to ${who}. ` : `Send this link to ${who} (no mail is sent from here). `}
        It sets their password once, until {link.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC:
      </p>
      <code data-testid="one-time-link" className="mt-1 block break-all rounded bg-white px-2 py-1 text-xs">
        {link.url}
      </code>
    </div>
  );
}
