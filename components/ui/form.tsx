"use client";
// Form helpers: tRPC validation errors turned into per-field messages, the labelled field frame, the form message.
import type { ReactNode } from "react";

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

export const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";

export function LabeledInput({ label, hint, error, children }: { label: string; hint?: string; error?: string; children: ReactNode }) {
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
