"use client";
// A labelled filter dropdown whose first choice ("All …", value "") means no filter — or, with `all={false}`, a plain
// choice among `choices`. Used by the conversion, commission and postback-log lists and the credit report.
import { COMMISSION_TONE } from "~/server/conversions/labels";

export interface Choice {
  value: string;
  label: string;
}

export type CommissionStatus = keyof typeof COMMISSION_TONE;

export const COMMISSION_STATUS_CHOICES: Choice[] = Object.keys(COMMISSION_TONE).map((s) => ({ value: s, label: s.toLowerCase() }));

/** Rows with an id and a name (affiliates, merchants) as choices. */
export const choicesOf = (rows: { id: string; name: string }[] = []): Choice[] => rows.map((r) => ({ value: r.id, label: r.name }));

export function FilterSelect<V extends string>({ label, value, onChange, choices, all = "All", inline = false }: { label: string; value: V | ""; onChange: (value: V | "") => void; choices: Choice[]; all?: string | false; inline?: boolean }) {
  return (
    <label className={inline ? "flex items-center gap-2 text-sm" : "flex flex-col gap-1"}>
      <span className={inline ? "text-slate-600" : "text-xs font-medium text-slate-600"}>{label}</span>
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as V | "")} className="rounded-md border border-slate-300 px-2 py-1.5">
        {all !== false && <option value="">{all}</option>}
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
