"use client";
// The managers' live attribution page: the live stream first, then the last 15 minutes (live.recent) read up to the
// id the stream started after — the two meet exactly, and the stream (and its status) never waits for the history
// read; events arriving before the history are held until it is shown. A reconnect (or a server restart) resumes
// from the last event id, so nothing is missed or shown twice. Pausing holds new rows aside (counted) until resumed; the chart keeps running.
// The chart (900 points through recharts) is the page's one expensive render, so it never stands in the way: its
// card keeps its own clock (the feed is not re-rendered every second), and it is drawn as a deferred, interruptible
// render — the page commits (and opens its live stream) without waiting for it. Drawn synchronously, its first
// render held the browser's main thread for seconds on a loaded machine, and the stream opened only after it (#13).
import { useQuery } from "@tanstack/react-query";
import { type ReactNode, type RefObject, startTransition, useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { type LiveEvent, LiveIndicator, type LiveStatus, useLiveEvents } from "~/components/live/use-live";
import { useTRPC } from "~/components/trpc/client";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState, Skeleton } from "~/components/ui/query-state";
import { formatMoney } from "~/server/money";
import { PerSecondChart } from "./per-second-chart";

interface Touch {
  clickId: string;
  affiliateId: string;
  at: string;
}
interface ConversionData {
  id: string;
  txnId: string;
  affiliateId: string;
  affiliateName: string;
  linkSlug: string;
  offerId: string;
  offerName: string;
  amountMinor: number;
  currency: string;
  clickedAt: string;
  createdAt: string;
  touchPath: Touch[];
  fraudScore: number;
  fraudDecision: "PASS" | "REVIEW" | "HOLD";
  commission: { amountMinor: number; currency: string; status: string; heldReason: string | null } | null;
  flags: { code: string; severity: number; explanation: string }[];
}
interface PostbackData {
  outcome: "ACCEPTED" | "DUPLICATE" | "REJECTED";
  reasonCode: string;
  message: string;
  httpStatus: number;
  txnId: string | null;
  receivedAt: string;
  conversion: ConversionData | null;
}
interface Row {
  eventId: string;
  at: number;
  postback: PostbackData;
}

const WINDOW_S = 15 * 60;
const MAX_ROWS = 500;
type Decision = "" | "PASS" | "REVIEW" | "HOLD" | "REFUSED";

type Deliver = (events: LiveEvent[]) => void;

export function LiveAttribution() {
  const trpc = useTRPC();
  const [start, setStart] = useState<string | null>(null);
  const early = useRef<LiveEvent[]>([]);
  const deliver = useRef<Deliver | null>(null);
  const status = useLiveEvents({
    onCursor: (id) => setStart((s) => s ?? id),
    onEvents: (events) => (deliver.current ? deliver.current(events) : early.current.push(...events)),
  });
  // The history is read once; while the server cannot answer (a restart) it is retried until it can, with the live
  // indicator on screen, rather than replaced by an error: the stream resumes on its own meanwhile.
  const recent = useQuery(
    trpc.live.recent.queryOptions(
      { upTo: start },
      { enabled: start !== null, staleTime: Infinity, gcTime: 0, refetchOnWindowFocus: false, retry: true, retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 5_000) },
    ),
  );
  const loading = (
    <Card title="Clicks and conversions per second" actions={<LiveIndicator status={status} />}>
      <Skeleton rows={6} />
    </Card>
  );
  return (
    <QueryState query={recent} skeleton={loading}>
      {(data) => <LiveView status={status} early={early} deliver={deliver} initialSeries={data.series} initialFeed={data.feed} />}
    </QueryState>
  );
}

function rowsOf(events: LiveEvent[]): Row[] {
  return events.filter((e) => e.kind === "postback").map((e) => ({ eventId: e.id, at: e.at, postback: e.data as unknown as PostbackData }));
}

function LiveView({
  status,
  early,
  deliver,
  initialSeries,
  initialFeed,
}: {
  status: LiveStatus;
  early: RefObject<LiveEvent[]>;
  deliver: RefObject<Deliver | null>;
  initialSeries: { second: number; clicks: number; conversions: number }[];
  initialFeed: LiveEvent[];
}) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(initialFeed).reverse());
  const [held, setHeld] = useState<Row[]>([]);
  const [paused, setPaused] = useState(false);
  const [series, setSeries] = useState(() => new Map(initialSeries.map((p) => [p.second, { clicks: p.clicks, conversions: p.conversions }])));
  const [filters, setFilters] = useState<{ affiliate: string; offer: string; decision: Decision }>({ affiliate: "", offer: "", decision: "" });
  const [seen] = useState(() => new Set(initialFeed.map((e) => e.id)));

  const onEvents: Deliver = (events) => {
    const fresh = events.filter((e) => !seen.has(e.id));
    for (const e of fresh) seen.add(e.id);
    if (fresh.length === 0) return;
    setSeries((previous) => {
      const next = new Map(previous);
      for (const e of fresh) {
        const second = e.kind === "clicks" ? Number(e.data.second) : Math.floor(e.at / 1000);
        const point = next.get(second) ?? { clicks: 0, conversions: 0 };
        if (e.kind === "clicks") next.set(second, { ...point, clicks: point.clicks + Number(e.data.clicks) });
        else if (e.kind === "postback" && e.data.reasonCode === "created") next.set(second, { ...point, conversions: point.conversions + 1 });
      }
      const oldest = Math.floor(Date.now() / 1000) - WINDOW_S;
      for (const second of next.keys()) if (second < oldest) next.delete(second);
      return next;
    });
    const commissionChanges = fresh.filter((e) => e.kind === "commission");
    if (commissionChanges.length) {
      const byConversion = new Map(commissionChanges.map((e) => [String(e.data.conversionId), e.data]));
      const update = (list: Row[]) =>
        list.map((row) => {
          const change = row.postback.conversion && byConversion.get(row.postback.conversion.id);
          if (!change || !row.postback.conversion?.commission) return row;
          const commission = { ...row.postback.conversion.commission, status: String(change.status), heldReason: (change.heldReason as string | null) ?? null };
          return { ...row, postback: { ...row.postback, conversion: { ...row.postback.conversion, commission } } };
        });
      setRows(update);
      setHeld(update);
    }
    const newRows = rowsOf(fresh).reverse();
    if (newRows.length === 0) return;
    if (paused) setHeld((h) => [...newRows, ...h].slice(0, MAX_ROWS));
    else setRows((r) => [...newRows, ...r].slice(0, MAX_ROWS));
  };
  useEffect(() => {
    deliver.current = onEvents;
  });
  useEffect(() => {
    const waiting = early.current.splice(0); // what the stream brought while the history was read
    if (waiting.length) deliver.current?.(waiting);
    return () => {
      deliver.current = null;
    };
  }, [early, deliver]);

  const resume = () => {
    setRows((r) => [...held, ...r].slice(0, MAX_ROWS));
    setHeld([]);
    setPaused(false);
  };

  const options = useMemo(() => {
    const affiliates = new Map<string, string>();
    const offers = new Map<string, string>();
    for (const row of [...rows, ...held]) {
      const c = row.postback.conversion;
      if (!c) continue;
      affiliates.set(c.affiliateId, c.affiliateName);
      offers.set(c.offerId, c.offerName);
    }
    return { affiliates: [...affiliates].sort((a, b) => a[1].localeCompare(b[1])), offers: [...offers].sort((a, b) => a[1].localeCompare(b[1])) };
  }, [rows, held]);

  const visible = rows.filter((row) => {
    const c = row.postback.conversion;
    if (filters.affiliate && c?.affiliateId !== filters.affiliate) return false;
    if (filters.offer && c?.offerId !== filters.offer) return false;
    if (filters.decision === "REFUSED") return row.postback.reasonCode !== "created";
    if (filters.decision) return row.postback.reasonCode === "created" && c?.fraudDecision === filters.decision;
    return true;
  });

  return (
    <div className="space-y-6">
      <ChartCard series={series} status={status} />

      <Card
        title="Postbacks as they arrive"
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <Select label="Affiliate" value={filters.affiliate} onChange={(affiliate) => setFilters((f) => ({ ...f, affiliate }))} options={options.affiliates} />
            <Select label="Offer" value={filters.offer} onChange={(offer) => setFilters((f) => ({ ...f, offer }))} options={options.offers} />
            <Select
              label="Decision"
              value={filters.decision}
              onChange={(decision) => setFilters((f) => ({ ...f, decision: decision as Decision }))}
              options={[["PASS", "passed"], ["REVIEW", "sent to review"], ["HOLD", "held"], ["REFUSED", "refused or duplicate"]]}
            />
            {paused ? (
              <button type="button" onClick={resume} className="rounded-md bg-indigo-600 px-3 py-1.5 text-xs font-medium text-white hover:bg-indigo-500">
                Resume{held.length ? ` (${held.length} new)` : ""}
              </button>
            ) : (
              <button type="button" onClick={() => setPaused(true)} className="rounded-md border border-slate-300 px-3 py-1.5 text-xs font-medium text-slate-700 hover:bg-slate-50">
                Pause
              </button>
            )}
          </div>
        }
      >
        {visible.length === 0 ? (
          <EmptyState title={rows.length ? "Nothing matches these filters" : "No postbacks in the last 15 minutes"}>New ones appear here as soon as they are committed.</EmptyState>
        ) : (
          <ul className="-mx-5 -my-5 divide-y divide-slate-100" aria-label="Live postbacks">
            {visible.map((row) => (
              <FeedRow key={row.eventId} row={row} />
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

type Series = Map<number, { clicks: number; conversions: number }>;
type Point = { second: number; clicks: number; conversions: number };
const NO_POINTS: Point[] = [];

/** The chart and the last minute's counts, on a clock of their own (the window slides every second). */
function ChartCard({ series, status }: { series: Series; status: LiveStatus }) {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const timer = setInterval(() => startTransition(() => setNow(Math.floor(Date.now() / 1000))), 1_000);
    return () => clearInterval(timer);
  }, []);
  const chart = useMemo(
    () =>
      Array.from({ length: WINDOW_S }, (_, i): Point => {
        const second = now - WINDOW_S + 1 + i;
        return { second, ...(series.get(second) ?? { clicks: 0, conversions: 0 }) };
      }),
    [series, now],
  );
  const drawn = useDeferredValue(chart, NO_POINTS);
  const lastMinute = chart.slice(-60);
  const perMinute = { clicks: lastMinute.reduce((a, p) => a + p.clicks, 0), conversions: lastMinute.reduce((a, p) => a + p.conversions, 0) };
  const actions: ReactNode = (
    <div className="flex items-center gap-4 text-xs text-slate-500">
      <span data-testid="last-minute">
        last minute: {perMinute.clicks.toLocaleString("en")} clicks · {perMinute.conversions.toLocaleString("en")} conversions
      </span>
      <LiveIndicator status={status} />
    </div>
  );
  return (
    <Card title="Clicks and conversions per second" actions={actions}>
      <PerSecondChart data={drawn} />
    </Card>
  );
}

function Select({ label, value, onChange, options }: { label: string; value: string; onChange: (value: string) => void; options: [string, string][] }) {
  return (
    <label className="text-xs text-slate-500">
      <span className="sr-only">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} aria-label={label} className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-xs text-slate-700">
        <option value="">{`Any ${label.toLowerCase()}`}</option>
        {options.map(([id, name]) => (
          <option key={id} value={id}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

const time = (at: number) => new Date(at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export function sinceClick(clickedAt: string, convertedAt: string): string {
  const s = Math.max(0, Math.round((Date.parse(convertedAt) - Date.parse(clickedAt)) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
}

/** Position-based credit (40 % first, 40 % last, 20 % shared between; 50/50 with two), as the credit report. */
export function positionShares(n: number): number[] {
  if (n <= 1) return [100];
  if (n === 2) return [50, 50];
  const middle = 20 / (n - 2);
  return Array.from({ length: n }, (_, i) => (i === 0 || i === n - 1 ? 40 : middle));
}

const DECISION = { PASS: ["green", "passed"], REVIEW: ["amber", "review"], HOLD: ["red", "held"] } as const;

function FeedRow({ row }: { row: Row }) {
  const { postback } = row;
  const c = postback.conversion;
  const created = postback.reasonCode === "created" && c;
  return (
    <li className="px-5 py-3 text-sm" data-testid="live-row" data-txn={postback.txnId ?? ""}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <div className="flex flex-wrap items-baseline gap-x-3 gap-y-1">
          <span className="tabular-nums text-xs text-slate-500">{time(row.at)}</span>
          {created ? (
            <>
              <span className="font-medium text-slate-900">{c.affiliateName}</span>
              <span className="text-slate-500">
                /go/{c.linkSlug} · {c.offerName}
              </span>
              <span className="tabular-nums text-slate-900">{formatMoney(c.amountMinor, c.currency)}</span>
              {c.commission && <span className="tabular-nums text-slate-500">commission {formatMoney(c.commission.amountMinor, c.commission.currency)} ({c.commission.status.toLowerCase()})</span>}
            </>
          ) : (
            <>
              <Badge tone={postback.outcome === "REJECTED" ? "red" : "gray"}>{postback.outcome === "REJECTED" ? `refused ${postback.httpStatus}` : postback.reasonCode}</Badge>
              <span className="text-slate-700">{postback.txnId ?? "no txn_id"}</span>
              <span className="text-slate-500">{postback.message}</span>
            </>
          )}
        </div>
        {created && (
          <div className="flex items-center gap-2">
            <Badge tone={DECISION[c.fraudDecision][0]}>
              {DECISION[c.fraudDecision][1]} · score {c.fraudScore}
            </Badge>
            <span className="text-xs text-slate-500">{sinceClick(c.clickedAt, c.createdAt)} from click</span>
          </div>
        )}
      </div>
      {created && (
        <div className="mt-1.5 space-y-1 text-xs text-slate-500">
          <TouchPath conversion={c} />
          {c.flags.length > 0 && (
            <ul className="space-y-0.5 text-amber-800">
              {c.flags.map((f) => (
                <li key={f.code}>
                  <span className="font-medium">{f.code}</span> ({f.severity}): {f.explanation}
                </li>
              ))}
            </ul>
          )}
          {c.commission?.heldReason && <p className="text-red-700">held: {c.commission.heldReason}</p>}
          <p>txn {c.txnId}</p>
        </div>
      )}
    </li>
  );
}

function TouchPath({ conversion: c }: { conversion: ConversionData }) {
  const path = c.touchPath.length ? c.touchPath : [{ clickId: "", affiliateId: c.affiliateId, at: c.clickedAt }];
  const shares = positionShares(path.length);
  return (
    <p className="flex flex-wrap items-center gap-1">
      <span>path:</span>
      {path.map((touch, i) => (
        <span key={`${touch.clickId}-${i}`} className="inline-flex items-center gap-1">
          {i > 0 && <span aria-hidden>→</span>}
          <span className={`rounded px-1.5 py-0.5 ${touch.affiliateId === c.affiliateId ? "bg-indigo-50 text-indigo-700" : "bg-slate-100 text-slate-600"}`}>
            {touch.affiliateId === c.affiliateId ? c.affiliateName : `affiliate ${touch.affiliateId.slice(0, 8)}`} · {Math.round(shares[i]!)} %
          </span>
        </span>
      ))}
      <span className="ml-1">credit: position-based shares; paid by last click to {c.affiliateName}</span>
    </p>
  );
}
