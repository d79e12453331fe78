"use client";
// Form pieces shared by every page: the input style, a labelled field with its hint or error, a form-level
// message, a submit button, and the field messages of a tRPC BAD_REQUEST — `fieldErrors` for flat forms (the
// zod issues our errorFormatter puts in `data.zodError`, or a client-side check's), `issuesByField` for nested
// ones ("params.minClicks"), and a search box.
import type { ReactNode } from "react";
import { z } from "zod";
import { Card } from "./page";

type Issue = { path?: (string | number)[]; message: string };

/**
 * A BAD_REQUEST from a zod input carries its issues as JSON in the message. Returns them by dotted path
 * ("params.minClicks", "cidr"), plus `_` for a message that is not a list of issues (conflict, network…).
 */
export function issuesByField(error: { message: string }): Record<string, string> {
  try {
    const issues = JSON.parse(error.message) as Issue[];
    if (Array.isArray(issues)) return Object.fromEntries(issues.map((i) => [(i.path ?? []).join(".") || "_", i.message]));
  } catch {
    // not JSON: a plain message
  }
  return { _: error.message };
}

export type FieldErrors = Partial<Record<string, string>>;
type ServerError = { message: string; data?: { zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null } | null };

/** First message per top-level field, from a client-side zod check or from the server's answer. */
export function fieldErrors(error: z.ZodError | ServerError): FieldErrors {
  const fields = error instanceof z.ZodError ? z.flattenError(error).fieldErrors : (error.data?.zodError?.fieldErrors ?? {});
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, (v as string[] | undefined)?.[0]]));
}

export const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";

export function LabeledInput({ label, hint, error, children }: { label: string; hint?: ReactNode; error?: string; children: ReactNode }) {
  return (
    <label className="block text-sm font-medium text-slate-700">
      {label}
      {children}
      {hint && !error && <span className="mt-1 block text-xs font-normal text-slate-500">{hint}</span>}
      {error && <span className="mt-1 block text-xs font-normal text-red-700">{error}</span>}
    </label>
  );
}

export function FormMessage({ tone, children }: { tone: "ok" | "error"; children: ReactNode }) {
  return (
    <p role={tone === "error" ? "alert" : "status"} className={`text-sm ${tone === "error" ? "text-red-700" : "text-emerald-700"}`}>
      {children}
    </p>
  );
}

export function SubmitButton({ pending, label, pendingLabel }: { pending: boolean; label: string; pendingLabel: string }) {
  return (
    <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
      {pending ? pendingLabel : label}
    </button>
  );
}

/**
 * A search box in a card: the text field, any `children` (filters) beside it, and a Search button. `onSearch` gets
 * the trimmed text when the form is submitted.
 */
export function SearchForm({
  label,
  ariaLabel,
  value,
  onChange,
  onSearch,
  children,
}: {
  label: string;
  ariaLabel: string;
  value: string;
  onChange: (value: string) => void;
  onSearch: (text: string) => void;
  children?: ReactNode;
}) {
  return (
    <Card>
      <form
        role="search"
        aria-label={ariaLabel}
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          onSearch(value.trim());
        }}
      >
        <div className="min-w-64 flex-1">
          <LabeledInput label={label}>
            <input name="q" value={value} onChange={(e) => onChange(e.target.value)} className={inputClass} />
          </LabeledInput>
        </div>
        {children}
        <button type="submit" className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500">
          Search
        </button>
      </form>
    </Card>
  );
}
