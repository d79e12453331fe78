"use client";
// The postback log: every postback received, with its outcome and reason. Merchants see theirs (scope "merchant"),
// managers the whole program with a merchant filter (scope "program"). Newest first, loaded 50 at a time; a new
// postback on the live stream re-reads the list (no polling).
import { useInfiniteQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { FilterSelect, choicesOf } from "~/components/postbacks/filter-select";
import { LiveIndicator, useLiveRefresh } from "~/components/live/use-live";
import { LoadMore } from "~/components/postbacks/load-more";
import { useTRPC } from "~/components/trpc/client";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { Skeleton } from "~/components/ui/query-state";

const OUTCOME_TONE = { ACCEPTED: "green", DUPLICATE: "blue", REJECTED: "red" } as const;
type Outcome = keyof typeof OUTCOME_TONE;
const OUTCOME_CHOICES = Object.keys(OUTCOME_TONE).map((o) => ({ value: o, label: o[0] + o.slice(1).toLowerCase() }));

export function PostbackLog({ scope, merchants = [] }: { scope: "merchant" | "program"; merchants?: { id: string; name: string }[] }) {
  const trpc = useTRPC();
  const [outcome, setOutcome] = useState<Outcome | "">("");
  const [txnId, setTxnId] = useState("");
  const [merchantId, setMerchantId] = useState("");
  const [open, setOpen] = useState<string | null>(null);
  const filter = { outcome: outcome || undefined, txnId: txnId.trim() || undefined };
  const next = { getNextPageParam: (page: { nextCursor: string | null }) => page.nextCursor ?? undefined };
  const own = useInfiniteQuery({ ...trpc.postbacks.log.infiniteQueryOptions(filter, next), enabled: scope === "merchant" });
  const program = useInfiniteQuery({ ...trpc.postbacks.programLog.infiniteQueryOptions({ ...filter, merchantId: merchantId || undefined }, next), enabled: scope === "program" });
  const query = scope === "merchant" ? own : program;
  const rows = query.data?.pages.flatMap((p) => p.rows) ?? [];
  const live = useLiveRefresh([trpc.postbacks.log.pathKey(), trpc.postbacks.programLog.pathKey()], (event) => event.kind === "postback");

  return (
    <Card
      title="Postback log"
      actions={
        <div className="flex items-center gap-4">
          <LiveIndicator status={live} />
          <button type="button" onClick={() => void query.refetch()} className="text-sm font-medium text-indigo-700 hover:underline">
            Refresh
          </button>
        </div>
      }
    >
      <div className="mb-4 flex flex-wrap items-end gap-3 text-sm">
        <FilterSelect label="Outcome" value={outcome} onChange={setOutcome} choices={OUTCOME_CHOICES} />
        <label className="flex flex-col gap-1">
          <span className="text-xs font-medium text-slate-600">txn_id</span>
          <input value={txnId} onChange={(e) => setTxnId(e.target.value)} placeholder="exact order id" className="rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        {scope === "program" && <FilterSelect label="Merchant" value={merchantId} onChange={setMerchantId} choices={choicesOf(merchants)} all="All merchants" />}
      </div>

      {query.isPending ? (
        <Skeleton rows={5} />
      ) : query.isError ? (
        <div role="alert" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
          Could not load the log: {query.error.message}
        </div>
      ) : rows.length === 0 ? (
        <EmptyState title="No postbacks yet">Postbacks appear here as they arrive, accepted or not, with the reason.</EmptyState>
      ) : (
        <div className="-mx-5 overflow-x-auto">
          <table className="min-w-full text-sm" aria-label="Postback log">
            <thead>
              <tr className="border-b border-slate-200 bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
                <th className="px-5 py-2.5">Received</th>
                {scope === "program" && <th className="px-5 py-2.5">Merchant</th>}
                <th className="px-5 py-2.5">Outcome</th>
                <th className="px-5 py-2.5">Reason</th>
                <th className="px-5 py-2.5">txn_id</th>
                <th className="px-5 py-2.5">Message</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((row) => {
                const params = row.params as Record<string, string>;
                return (
                  <Fragment key={row.id}>
                    <tr className="cursor-pointer hover:bg-slate-50/60" onClick={() => setOpen(open === row.id ? null : row.id)}>
                      <td className="whitespace-nowrap px-5 py-2.5 tabular-nums text-slate-600">{row.receivedAt.toLocaleString("en-GB", { dateStyle: "short", timeStyle: "medium" })}</td>
                      {scope === "program" && <td className="px-5 py-2.5">{row.merchant?.name ?? "— (no valid token)"}</td>}
                      <td className="px-5 py-2.5">
                        <Badge tone={OUTCOME_TONE[row.outcome]}>
                          {row.outcome.toLowerCase()} · {row.httpStatus}
                        </Badge>
                      </td>
                      <td className="px-5 py-2.5 font-mono text-xs">{row.reasonCode}</td>
                      <td className="px-5 py-2.5 font-mono text-xs">{params.txn_id ?? "—"}</td>
                      <td className="max-w-md px-5 py-2.5 text-slate-700">
                        {row.message}
                        {row.repeatCount > 1 && (
                          <span className="ml-2 whitespace-nowrap text-xs text-slate-500">
                            ×{row.repeatCount.toLocaleString("en-US")} (last {row.lastReceivedAt?.toLocaleTimeString("en-GB")})
                          </span>
                        )}
                      </td>
                    </tr>
                    {open === row.id && (
                      <tr className="bg-slate-50">
                        <td colSpan={scope === "program" ? 6 : 5} className="px-5 py-3">
                          <div className="text-xs text-slate-500">
                            {row.method} from {row.ip ?? "unknown address"}
                            {row.conversionId && <> · conversion <span className="font-mono">{row.conversionId}</span></>} · parameters as received (the token is never stored):
                          </div>
                          <pre className="mt-2 overflow-x-auto rounded bg-white p-3 text-xs ring-1 ring-slate-200">{JSON.stringify(params, null, 2)}</pre>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore query={query} />
    </Card>
  );
}
