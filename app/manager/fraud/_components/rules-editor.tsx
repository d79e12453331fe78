"use client";
// One card per rule: on/off, severity and its params, the form built from the rule's JSON schema (types, bounds,
// defaults and labels come from the zod schema on the server). Plus the score thresholds.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { Badge, Card } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import type { RouterOutputs } from "~/server/api/types";
import { FormMessage, LabeledInput, inputClass, issuesByField } from "~/components/ui/form";

type Rules = RouterOutputs["fraud"]["rules"];
type Rule = Rules["rules"][number];
type Property = { type?: string; description?: string; minimum?: number; maximum?: number; default?: unknown };
type Values = Record<string, unknown>;

const propertiesOf = (schema: unknown) => Object.entries(((schema as { properties?: Record<string, Property> }).properties ?? {}) as Record<string, Property>);

export function RulesEditor() {
  const trpc = useTRPC();
  const rules = useQuery(trpc.fraud.rules.queryOptions());
  return (
    <QueryState query={rules}>
      {(data) => (
        <div className="space-y-6">
          <ThresholdsCard thresholds={data.thresholds} />
          <div className="grid gap-6 lg:grid-cols-2">
            {data.rules.map((rule) => (
              <RuleCard key={`${rule.code}-${String(rule.updatedAt)}`} rule={rule} />
            ))}
          </div>
        </div>
      )}
    </QueryState>
  );
}

function ParamInput({ name, property, value, error, onChange }: { name: string; property: Property; value: unknown; error?: string; onChange: (v: unknown) => void }) {
  const label = property.description ?? name;
  if (property.type === "boolean") {
    return (
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" className="h-4 w-4" checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
    );
  }
  const bounds = [property.minimum !== undefined && `min ${property.minimum}`, property.maximum !== undefined && `max ${property.maximum}`, property.default !== undefined && `default ${String(property.default)}`].filter(Boolean).join(", ");
  return (
    <LabeledInput label={label} hint={bounds} error={error}>
      <input
        type="number"
        name={name}
        step={property.type === "integer" ? 1 : "any"}
        value={value === undefined || value === null || Number.isNaN(value) ? "" : String(value)}
        onChange={(e) => onChange(e.target.value === "" ? Number.NaN : Number(e.target.value))}
        className={inputClass}
      />
    </LabeledInput>
  );
}

/** What a settings form shows after saving: field errors, or "saved"; the rules list is refetched on success. */
function useSaveState() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const callbacks = {
    onSuccess: () => {
      setErrors({});
      setSaved(true);
      void queryClient.invalidateQueries({ queryKey: trpc.fraud.rules.queryKey() });
    },
    onError: (error: { message: string }) => setErrors(issuesByField(error)),
  };
  return { errors, saved, setSaved, callbacks };
}

function RuleCard({ rule }: { rule: Rule }) {
  const trpc = useTRPC();
  const [enabled, setEnabled] = useState(rule.enabled);
  const [severity, setSeverity] = useState(rule.severity);
  const [params, setParams] = useState<Values>(rule.params);
  const { errors, saved, setSaved, callbacks } = useSaveState();
  const update = useMutation(trpc.fraud.updateRule.mutationOptions(callbacks));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    update.mutate({ code: rule.code, enabled, severity, params });
  };
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          {rule.title} <code className="text-xs font-normal text-slate-500">{rule.code}</code>
        </span>
      }
      actions={<Badge tone={rule.enabled ? "green" : "gray"}>{rule.enabled ? "on" : "off"}</Badge>}
    >
      <form onSubmit={submit} className="space-y-3" aria-label={`Settings of ${rule.code}`}>
        <p className="text-sm text-slate-600">{rule.description}</p>
        <div className="grid grid-cols-2 gap-3">
          <label className="flex items-center gap-2 text-sm font-medium text-slate-700">
            <input type="checkbox" className="h-4 w-4" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            Enabled
          </label>
          <LabeledInput label="Severity (0-100)" hint={`default ${rule.defaultSeverity}`} error={errors.severity}>
            <input type="number" name="severity" min={0} max={100} step={1} value={Number.isNaN(severity) ? "" : severity} onChange={(e) => setSeverity(e.target.value === "" ? Number.NaN : Number(e.target.value))} className={inputClass} />
          </LabeledInput>
          {propertiesOf(rule.schema).map(([name, property]) => (
            <ParamInput key={name} name={name} property={property} value={params[name]} error={errors[`params.${name}`]} onChange={(v) => setParams({ ...params, [name]: v })} />
          ))}
        </div>
        {errors._ && <FormMessage tone="error">{errors._}</FormMessage>}
        {errors.params && <FormMessage tone="error">{errors.params}</FormMessage>}
        {saved && <FormMessage tone="ok">Saved: applies to the next conversion.</FormMessage>}
        <div className="flex gap-2">
          <button type="submit" disabled={update.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
            {update.isPending ? "Saving…" : "Save"}
          </button>
          <button
            type="button"
            onClick={() => {
              setSeverity(rule.defaultSeverity);
              setParams(rule.defaults);
              setEnabled(true);
            }}
            className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
          >
            Defaults
          </button>
        </div>
      </form>
    </Card>
  );
}

function ThresholdsCard({ thresholds }: { thresholds: Rules["thresholds"] }) {
  const trpc = useTRPC();
  const [values, setValues] = useState({ reviewAt: thresholds.reviewAt, holdAt: thresholds.holdAt, combinedScore: thresholds.combinedScore });
  const { errors, saved, setSaved, callbacks } = useSaveState();
  const update = useMutation(trpc.fraud.updateThresholds.mutationOptions(callbacks));
  const field = (key: "reviewAt" | "holdAt", label: string) => (
    <LabeledInput label={label} error={errors[key]}>
      <input type="number" name={key} min={1} max={100} step={1} value={Number.isNaN(values[key]) ? "" : values[key]} onChange={(e) => setValues({ ...values, [key]: e.target.value === "" ? Number.NaN : Number(e.target.value) })} className={inputClass} />
    </LabeledInput>
  );
  return (
    <Card title="Risk score thresholds">
      <form
        className="space-y-3"
        aria-label="Risk score thresholds"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          update.mutate(values);
        }}
      >
        <p className="text-sm text-slate-600">
          Each rule that fires adds its severity: score = 100 × (1 − Π(1 − severity/100)). One rule at severity 60 scores 60; two at 50 score 75.
          The combined score (a model trained on labelled traffic) also scores every rule&apos;s signals together, so weak signals can add up; the higher score counts.
        </p>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" name="combinedScore" checked={values.combinedScore} onChange={(e) => setValues({ ...values, combinedScore: e.target.checked })} />
          Combined score (weak signals together)
        </label>
        <div className="grid max-w-md grid-cols-2 gap-3">
          {field("reviewAt", "Review from score")}
          {field("holdAt", "Hold from score")}
        </div>
        {errors._ && <FormMessage tone="error">{errors._}</FormMessage>}
        {saved && <FormMessage tone="ok">Saved: applies to the next conversion.</FormMessage>}
        <button type="submit" disabled={update.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          {update.isPending ? "Saving…" : "Save thresholds"}
        </button>
      </form>
    </Card>
  );
}
