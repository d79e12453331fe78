"use client";
// The review queue: one card per affiliate with their traffic chart and flagged commissions. Commissions are
// selected (one, several, or across affiliates) and released or reversed after a confirmation that says what
// will happen.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import type { RouterOutputs } from "~/server/api/types";
import { COMMISSION_TONE, commissionStatusLabel } from "~/server/conversions/labels";
import { formatMoney } from "~/server/money";
import { TrafficChart } from "./traffic-chart";

type Group = RouterOutputs["fraud"]["queue"][number];
type Item = Group["items"][number];
type Decision = "release" | "reverse";

const CONSEQUENCE: Record<Decision, string> = {
  release:
    "Held commissions go back to pending, or straight to approved when their holding period is over or the merchant already approved the sale; pending ones under review can then be approved. Their flags are closed as released.",
  reverse:
    "The commissions are cancelled (reversed), the affiliate sees why, and the merchant is notified by webhook. Their flags are closed as reversed. This cannot be undone.",
};
const FINAL_NOTE = "A commission already paid or reversed keeps its status: only its flags are closed.";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const itemId = (item: Item) => item.commission?.id ?? item.flags[0]!.id;

export function FraudQueue() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const queue = useQuery(trpc.fraud.queue.queryOptions());
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirming, setConfirming] = useState<{ decision: Decision; ids: string[] } | null>(null);
  const [note, setNote] = useState("");
  const [message, setMessage] = useState<{ tone: "ok" | "error"; text: string } | null>(null);

  const decide = useMutation(
    trpc.fraud.decide.mutationOptions({
      onSuccess: (result, input) => {
        const verb = input.decision === "release" ? "Released" : "Reversed";
        const closed = result.closed.length ? ` Closed the flags of ${plural(result.closed.length, "commission")} already ${[...new Set(result.closed.map((c) => c.status.toLowerCase()))].join(" or ")}.` : "";
        const skipped = result.skipped.map((s) => `${s.commissionId.slice(0, 8)}: ${s.reason}`).join("; ");
        setMessage({ tone: "ok", text: `${verb} ${plural(result.decided.length, "commission")}.${closed}${skipped ? ` Skipped ${skipped}.` : ""}` });
        setSelected(new Set());
        setConfirming(null);
        setNote("");
        void queryClient.invalidateQueries({ queryKey: trpc.fraud.pathKey() });
      },
      onError: (error) => setMessage({ tone: "error", text: error.message }),
    }),
  );

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const ask = (decision: Decision, ids: string[]) => {
    setMessage(null);
    setConfirming({ decision, ids });
  };

  return (
    <div className="space-y-6">
      {message && (
        <div role={message.tone === "error" ? "alert" : "status"} className={`rounded-lg border px-4 py-3 text-sm ${message.tone === "error" ? "border-red-200 bg-red-50 text-red-800" : "border-emerald-200 bg-emerald-50 text-emerald-800"}`}>
          {message.text}
        </div>
      )}

      {confirming ? (
        <div role="dialog" aria-label="Confirm decision" className="rounded-xl border border-slate-300 bg-white p-5 shadow-md">
          <p className="text-sm font-semibold text-slate-900">
            {confirming.decision === "release" ? "Release" : "Reverse"} {confirming.ids.length} commission{confirming.ids.length === 1 ? "" : "s"}?
          </p>
          <p className="mt-1 text-sm text-slate-600">
            {CONSEQUENCE[confirming.decision]} {FINAL_NOTE}
          </p>
          <label className="mt-3 block text-sm font-medium text-slate-700">
            Note for the audit log (optional)
            <input
              value={note}
              maxLength={500}
              onChange={(e) => setNote(e.target.value)}
              className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
            />
          </label>
          <div className="mt-4 flex gap-2">
            <button
              type="button"
              disabled={decide.isPending}
              onClick={() => decide.mutate({ commissionIds: confirming.ids, decision: confirming.decision, note: note.trim() || undefined })}
              className={`rounded-md px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50 ${confirming.decision === "release" ? "bg-indigo-600 hover:bg-indigo-500" : "bg-red-600 hover:bg-red-500"}`}
            >
              {decide.isPending ? "Saving…" : `Confirm ${confirming.decision}`}
            </button>
            <button type="button" onClick={() => setConfirming(null)} className="rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
              Cancel
            </button>
          </div>
        </div>
      ) : (
        selected.size > 0 && (
          <div className="sticky top-2 z-10 flex items-center gap-3 rounded-xl border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm shadow-sm">
            <span className="font-medium text-indigo-900">{selected.size} selected</span>
            <ActionButton label="Release selected" onClick={() => ask("release", [...selected])} />
            <ActionButton label="Reverse selected" tone="red" onClick={() => ask("reverse", [...selected])} />
            <button type="button" onClick={() => setSelected(new Set())} className="ml-auto text-xs text-indigo-700 underline">
              Clear selection
            </button>
          </div>
        )
      )}

      <QueryState query={queue}>
        {(groups) =>
          groups.length === 0 ? (
            <Card>
              <EmptyState title="Nothing to review">Conversions the fraud checks hold or flag for review appear here.</EmptyState>
            </Card>
          ) : (
            groups.map((group) => (
              <AffiliateGroup key={group.affiliate.id} group={group} selected={selected} onToggle={toggle} onDecide={ask} busy={decide.isPending || confirming !== null} />
            ))
          )
        }
      </QueryState>
    </div>
  );
}

function AffiliateGroup({ group, selected, onToggle, onDecide, busy }: { group: Group; selected: Set<string>; onToggle: (id: string) => void; onDecide: (d: Decision, ids: string[]) => void; busy: boolean }) {
  const flagCount = group.items.reduce((n, i) => n + i.flags.length, 0);
  return (
    <Card
      title={
        <span>
          {group.affiliate.name} <span className="font-normal text-slate-500">· {group.affiliate.email}</span>
        </span>
      }
      actions={
        <span className="flex items-center gap-3 text-xs text-slate-500">
          {plural(group.items.length, "commission")}, {plural(flagCount, "open flag")}
          <Link href={`/manager/fraud/identities?q=${encodeURIComponent(group.affiliate.email)}`} className="font-medium text-indigo-700 hover:underline">
            Known IPs &amp; customers
          </Link>
        </span>
      }
    >
      <div data-testid={`fraud-group-${group.affiliate.email}`} className="space-y-4">
        <TrafficChart affiliateId={group.affiliate.id} window={group.window} detail={group.detail} />
        <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200">
          {group.items.map((item) => (
            <QueueItem key={itemId(item)} item={item} checked={selected.has(itemId(item))} onToggle={() => onToggle(itemId(item))} onDecide={(d) => onDecide(d, [itemId(item)])} busy={busy} />
          ))}
        </ul>
      </div>
    </Card>
  );
}

function QueueItem({ item, checked, onToggle, onDecide, busy }: { item: Item; checked: boolean; onToggle: () => void; onDecide: (d: Decision) => void; busy: boolean }) {
  const { commission, conversion } = item;
  const label = conversion?.txnId ?? itemId(item);
  return (
    <li className="flex gap-3 p-4" data-testid={`fraud-item-${label}`}>
      <input type="checkbox" className="mt-1 h-4 w-4" checked={checked} onChange={onToggle} aria-label={`Select transaction ${label}`} disabled={!commission} />
      <div className="min-w-0 flex-1 space-y-2">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="font-medium text-slate-900">Transaction {label}</span>
          {commission && <Badge tone={COMMISSION_TONE[commission.status as keyof typeof COMMISSION_TONE]}>{commissionStatusLabel(commission)}</Badge>}
          {commission && <span className="tabular-nums text-slate-700">{formatMoney(commission.amountMinor, commission.currency)}</span>}
          {conversion && (
            <span className="text-xs text-slate-500">
              risk score {conversion.fraudScore} · {conversion.offer.name} · {conversion.createdAt.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" })} UTC
            </span>
          )}
        </div>
        <ul className="space-y-1.5">
          {item.flags.map((flag) => (
            <li key={flag.id} className="text-sm">
              <div className="flex flex-wrap items-baseline gap-2">
                <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800">{flag.code}</code>
                <span className="text-xs text-slate-500">severity {flag.severity}</span>
                <span className="text-slate-700">{flag.explanation}</span>
              </div>
              <details className="mt-1">
                <summary className="cursor-pointer text-xs text-indigo-700">Evidence</summary>
                <pre className="mt-1 max-h-48 overflow-auto rounded bg-slate-50 p-2 text-xs text-slate-700">{JSON.stringify(flag.evidence, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      </div>
      {commission && (
        <div className="flex shrink-0 flex-col gap-2">
          <ActionButton label="Release" onClick={() => onDecide("release")} disabled={busy} />
          <ActionButton label="Reverse" tone="red" onClick={() => onDecide("reverse")} disabled={busy} />
        </div>
      )}
    </li>
  );
}
