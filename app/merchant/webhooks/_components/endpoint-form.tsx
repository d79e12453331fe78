"use client";
// Add or edit an endpoint: URL, description, event types (none ticked = every type). Field errors come from the
// procedure's zod input; a refused URL (SSRF rules, DNS) comes back as the mutation's message and shows under it.
import { type FormEvent, useState } from "react";
import { EVENT_CATALOGUE, EVENT_TYPES, type EventType } from "~/server/webhooks/events";

export interface EndpointValues {
  url: string;
  description: string;
  eventTypes: EventType[];
}

export interface FormError {
  message: string;
  data?: { zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null } | null;
}

export function EndpointForm({
  initial = { url: "", description: "", eventTypes: [] },
  submitLabel,
  pending,
  error,
  onSubmit,
  onCancel,
}: {
  initial?: EndpointValues;
  submitLabel: string;
  pending: boolean;
  error: FormError | null;
  onSubmit: (values: EndpointValues) => void;
  onCancel: () => void;
}) {
  const [values, setValues] = useState(initial);
  const fields = error?.data?.zodError?.fieldErrors ?? {};
  // A refusal that is not a field error (the URL failed the SSRF check) belongs to the URL field.
  const urlError = fields.url?.[0] ?? (error && !error.data?.zodError ? error.message : undefined);

  const toggle = (type: EventType) =>
    setValues((v) => ({ ...v, eventTypes: v.eventTypes.includes(type) ? v.eventTypes.filter((t) => t !== type) : [...v.eventTypes, type] }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(values);
  };

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <div>
        <label htmlFor="webhook-url" className="block text-sm font-medium text-slate-700">
          Endpoint URL
        </label>
        <input
          id="webhook-url"
          type="url"
          required
          value={values.url}
          onChange={(e) => setValues({ ...values, url: e.target.value })}
          placeholder="https://example.com/webhooks/affiliate"
          aria-invalid={Boolean(urlError)}
          aria-describedby={urlError ? "webhook-url-error" : undefined}
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
        />
        {urlError && (
          <p id="webhook-url-error" role="alert" className="mt-1 text-sm text-red-700">
            {urlError}
          </p>
        )}
      </div>
      <div>
        <label htmlFor="webhook-description" className="block text-sm font-medium text-slate-700">
          Description <span className="font-normal text-slate-400">(optional)</span>
        </label>
        <input
          id="webhook-description"
          value={values.description}
          onChange={(e) => setValues({ ...values, description: e.target.value })}
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
        />
        {fields.description?.[0] && <p className="mt-1 text-sm text-red-700">{fields.description[0]}</p>}
      </div>
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">Events</legend>
        <p className="text-xs text-slate-500">Tick none to receive every event type, including ones added later.</p>
        <div className="mt-2 grid gap-2 sm:grid-cols-2">
          {EVENT_TYPES.map((type) => (
            <label key={type} className="flex items-start gap-2 rounded-md border border-slate-200 p-2 text-sm hover:bg-slate-50">
              <input type="checkbox" checked={values.eventTypes.includes(type)} onChange={() => toggle(type)} className="mt-0.5" />
              <span>
                <span className="font-mono text-xs text-slate-900">{type}</span>
                <span className="block text-xs text-slate-500">{EVENT_CATALOGUE[type]}</span>
              </span>
            </label>
          ))}
        </div>
        {fields.eventTypes?.[0] && <p className="mt-1 text-sm text-red-700">{fields.eventTypes[0]}</p>}
      </fieldset>
      <div className="flex gap-2">
        <button type="submit" disabled={pending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          {pending ? "Saving…" : submitLabel}
        </button>
        <button type="button" onClick={onCancel} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Cancel
        </button>
      </div>
    </form>
  );
}
