"use client";
// Managers: conversions and commissions across the program, filtered by status, affiliate, merchant and date;
// pending commissions can be approved (one or many; each approval is audited). The program's postback log, and the
// credit report (what each affiliate gets under other attribution models) too.
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { LoadMore } from "~/components/postbacks/load-more";
import { PostbackLog } from "~/components/postbacks/postback-log";
import { COMMISSION_STATUS_CHOICES, type CommissionStatus, FilterSelect, choicesOf } from "~/components/postbacks/filter-select";
import { useTRPC } from "~/components/trpc/client";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { Skeleton } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { COMMISSION_TONE, commissionStatusLabel } from "~/server/conversions/labels";
import { formatMoney } from "~/server/money";
import { AffiliateSearch, useAffiliateChoices } from "~/components/affiliates/affiliate-choices";
import { CreditReport } from "./credit-report";

const CONVERSION_TONE = { PENDING: "amber", APPROVED: "blue", REFUNDED: "gray" } as const;
type ConversionStatus = keyof typeof CONVERSION_TONE;
const CONVERSION_STATUS_CHOICES = Object.keys(CONVERSION_TONE).map((s) => ({ value: s, label: s.toLowerCase() }));
const TABS = { conversions: "Conversions", commissions: "Commissions", credit: "Credit models", log: "Postback log" } as const;
type Tab = keyof typeof TABS;

const when = (d: Date) => d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
const dayStart = (value: string) => (value ? new Date(`${value}T00:00:00Z`) : undefined);
const dayEnd = (value: string) => (value ? new Date(new Date(`${value}T00:00:00Z`).getTime() + 86_400_000) : undefined);

export function ConversionsBrowser() {
  const trpc = useTRPC();
  const options = useQuery(trpc.conversions.filters.queryOptions());
  const [tab, setTab] = useState<Tab>("conversions");
  const [status, setStatus] = useState<CommissionStatus | "">("");
  const [conversionStatus, setConversionStatus] = useState<ConversionStatus | "">("");
  const [affiliateId, setAffiliateId] = useState("");
  const [merchantId, setMerchantId] = useState("");
  const affiliates = useAffiliateChoices(affiliateId);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const filter = { affiliateId: affiliateId || undefined, merchantId: merchantId || undefined, from: dayStart(from), to: dayEnd(to) };
  const rangeError = from && to && from > to ? "The start date must be on or before the end date." : null;

  const select = "rounded-md border border-slate-300 px-2 py-1.5";
  return (
    <div className="space-y-6">
      <div role="tablist" className="flex gap-2 border-b border-slate-200">
        {(Object.keys(TABS) as Tab[]).map((t) => (
          <button key={t} role="tab" aria-selected={tab === t} type="button" onClick={() => setTab(t)} className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${tab === t ? "border-indigo-600 text-indigo-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}>
            {TABS[t]}
          </button>
        ))}
      </div>
      {tab === "log" ? (
        <PostbackLog scope="program" merchants={options.data?.merchants ?? []} />
      ) : tab === "credit" ? (
        <CreditReport />
      ) : (
        <>
          <div className="flex flex-wrap items-end gap-3 text-sm">
            {tab === "conversions" && <FilterSelect label="Conversion status" value={conversionStatus} onChange={setConversionStatus} choices={CONVERSION_STATUS_CHOICES} />}
            <FilterSelect label="Commission status" value={status} onChange={setStatus} choices={COMMISSION_STATUS_CHOICES} />
            <AffiliateSearch {...affiliates} />
            <FilterSelect label="Affiliate" value={affiliateId} onChange={setAffiliateId} choices={affiliates.choices} all="All affiliates" />
            <FilterSelect label="Merchant" value={merchantId} onChange={setMerchantId} choices={choicesOf(options.data?.merchants)} all="All merchants" />
            <label className="flex flex-col gap-1">
              <span className="text-xs font-medium text-slate-600">From</span>
              <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} className={select} />
            </label>
            <label className="flex flex-col gap-1">
              <span className="text-xs font-medium text-slate-600">To</span>
              <input type="date" value={to} onChange={(e) => setTo(e.target.value)} className={select} aria-invalid={!!rangeError} />
            </label>
          </div>
          {rangeError ? (
            <p role="alert" className="text-sm text-red-700">
              {rangeError}
            </p>
          ) : tab === "conversions" ? (
            <ConversionsTable filter={{ ...filter, status: conversionStatus || undefined, commissionStatus: status || undefined }} />
          ) : (
            <CommissionsTable filter={{ ...filter, status: status || undefined }} />
          )}
        </>
      )}
    </div>
  );
}

type RangeFilter = { affiliateId?: string; merchantId?: string; from?: Date; to?: Date };
const nextPage = { getNextPageParam: (page: { nextCursor: string | null }) => page.nextCursor ?? undefined };

function useApprove() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(
    trpc.conversions.approve.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.conversions.pathKey() }),
    }),
  );
}

const SKIPPED_REASON: Record<string, string> = { "": "no such commission", UNDER_REVIEW: "under fraud review: decide it under Fraud" };

function ApproveResult({ approve }: { approve: ReturnType<typeof useApprove> }) {
  if (approve.error) return <p role="alert" className="text-sm text-red-700">{approve.error.message}</p>;
  if (!approve.data) return null;
  const { approved, skipped } = approve.data;
  return (
    <p role="status" className="text-sm text-slate-700">
      Approved {approved.length} commission{approved.length === 1 ? "" : "s"}.
      {skipped.length > 0 && ` ${skipped.length} skipped (${[...new Set(skipped.map((s) => SKIPPED_REASON[s.status ?? ""] ?? `${s.status!.toLowerCase()}, not pending`))].join("; ")}).`}
    </p>
  );
}

function ConversionsTable({ filter }: { filter: RangeFilter & { status?: ConversionStatus; commissionStatus?: CommissionStatus } }) {
  const trpc = useTRPC();
  const query = useInfiniteQuery(trpc.conversions.list.infiniteQueryOptions(filter, nextPage));
  const approve = useApprove();
  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  return (
    <Card title="Conversions" actions={<ApproveResult approve={approve} />}>
      {query.isPending ? (
        <Skeleton rows={6} />
      ) : query.isError ? (
        <p role="alert" className="text-sm text-red-700">Could not load conversions: {query.error.message}</p>
      ) : rows.length === 0 ? (
        <EmptyState title="No conversions match these filters" />
      ) : (
        <DataTable
          label="Conversions"
          rows={rows}
          rowKey={(r) => r.id}
          columns={[
            { header: "When", cell: (r) => <span className="whitespace-nowrap text-slate-600">{when(r.createdAt)}</span> },
            { header: "Merchant / offer", cell: (r) => <span>{r.merchant.name} <span className="text-slate-500">· {r.offer.name}</span></span> },
            { header: "Affiliate", cell: (r) => r.affiliate.name },
            { header: "txn_id", cell: (r) => <code className="font-mono text-xs">{r.txnId}</code> },
            { header: "Sale", align: "right", cell: (r) => formatMoney(r.amountMinor, r.currency) },
            { header: "Status", cell: (r) => <Badge tone={CONVERSION_TONE[r.status]}>{r.status.toLowerCase()}</Badge> },
            {
              header: "Commission",
              cell: (r) => (
                <div className="space-y-1">
                  {r.commissions.map((c) => (
                    <div key={c.id} className="flex flex-wrap items-center gap-2">
                      <span className="tabular-nums">{formatMoney(c.amountMinor, c.currency)}</span>
                      <Badge tone={COMMISSION_TONE[c.status]}>{commissionStatusLabel({ ...c, conversion: r })}</Badge>
                      {c.status === "PENDING" && (
                        <button type="button" disabled={approve.isPending} onClick={() => approve.mutate({ commissionIds: [c.id] })} className="text-xs font-medium text-indigo-700 hover:underline disabled:opacity-50">
                          Approve
                        </button>
                      )}
                    </div>
                  ))}
                  <div className="max-w-xs text-xs text-slate-500">{r.commissions[0]?.calculation}</div>
                </div>
              ),
            },
          ]}
        />
      )}
      <LoadMore query={query} />
    </Card>
  );
}

function CommissionsTable({ filter }: { filter: RangeFilter & { status?: CommissionStatus } }) {
  const trpc = useTRPC();
  const query = useInfiniteQuery(trpc.conversions.commissions.infiniteQueryOptions(filter, nextPage));
  const approve = useApprove();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  const pending = rows.filter((r) => r.status === "PENDING");
  const toggle = (id: string) => setSelected((s) => (s.has(id) ? new Set([...s].filter((x) => x !== id)) : new Set([...s, id])));
  const approveSelected = () => approve.mutate({ commissionIds: [...selected] }, { onSuccess: () => setSelected(new Set()) });
  return (
    <Card
      title="Commissions"
      actions={
        <div className="flex items-center gap-3">
          <ApproveResult approve={approve} />
          <button type="button" disabled={selected.size === 0 || approve.isPending} onClick={approveSelected} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
            {approve.isPending ? "Approving…" : `Approve selected (${selected.size})`}
          </button>
        </div>
      }
    >
      {query.isPending ? (
        <Skeleton rows={6} />
      ) : query.isError ? (
        <p role="alert" className="text-sm text-red-700">Could not load commissions: {query.error.message}</p>
      ) : rows.length === 0 ? (
        <EmptyState title="No commissions match these filters" />
      ) : (
        <DataTable
          label="Commissions"
          rows={rows}
          rowKey={(r) => r.id}
          columns={[
            {
              header: "Select",
              cell: (r) =>
                r.status === "PENDING" ? <input type="checkbox" aria-label={`Select commission ${r.id}`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} /> : null,
            },
            { header: "Created", cell: (r) => <span className="whitespace-nowrap text-slate-600">{when(r.createdAt)}</span> },
            { header: "Affiliate", cell: (r) => r.affiliate.name },
            { header: "Offer", cell: (r) => <span>{r.offer.name} <span className="text-slate-500">· {r.offer.merchant.name}</span></span> },
            { header: "Amount", align: "right", cell: (r) => formatMoney(r.amountMinor, r.currency) },
            { header: "Status", cell: (r) => <Badge tone={COMMISSION_TONE[r.status]}>{commissionStatusLabel(r)}</Badge> },
            { header: "Due", cell: (r) => (r.status === "PENDING" ? <span className="text-slate-600">{when(r.holdUntil)}</span> : r.approvedAt ? <span className="text-slate-500">approved {when(r.approvedAt)}</span> : null) },
            { header: "How", cell: (r) => <span className="block max-w-xs text-xs text-slate-500">{r.calculation}</span> },
          ]}
        />
      )}
      {pending.length > 0 && (
        <button type="button" className="mt-3 text-xs font-medium text-indigo-700 hover:underline" onClick={() => setSelected(new Set(pending.map((r) => r.id)))}>
          Select all {pending.length} pending shown
        </button>
      )}
      <LoadMore query={query} />
    </Card>
  );
}
