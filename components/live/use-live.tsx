"use client";
// The live stream in a component: `useLiveEvents` delivers each batch of events the signed-in user may see (their
// role's view, server/live/events.ts), resuming after reconnects from the last event id; `useLiveRefresh` re-reads
// queries when matching events arrive (at most every `everyMs`), for lists that stay server-rendered.
import { type QueryKey, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useEffect, useRef } from "react";
import { useTRPC } from "~/components/trpc/client";
import type { LiveEvent } from "~/server/live/events";

export type { LiveEvent };
export type LiveStatus = "live" | "connecting" | "offline";

export function useLiveEvents({
  lastEventId,
  enabled = true,
  onEvents,
  onCursor,
}: {
  lastEventId?: string | null;
  enabled?: boolean;
  onEvents: (events: LiveEvent[]) => void;
  /** Each message's event id: the stream's cursor (the first is where a fresh stream starts). */
  onCursor?: (id: string) => void;
}): LiveStatus {
  const trpc = useTRPC();
  const handler = useRef({ onEvents, onCursor });
  useEffect(() => {
    handler.current = { onEvents, onCursor };
  });
  const subscription = useSubscription(
    trpc.live.events.subscriptionOptions(
      { lastEventId: lastEventId ?? null },
      {
        enabled,
        onData: (tracked) => {
          handler.current.onCursor?.(tracked.id);
          const events = JSON.parse(tracked.data) as LiveEvent[];
          if (events.length) handler.current.onEvents(events);
        },
      },
    ),
  );
  return subscription.status === "pending" ? "live" : subscription.status === "error" ? "offline" : "connecting";
}

/** Re-reads the queries under `keys` when an event `matches` (throttled), e.g. a log page's list. */
export function useLiveRefresh(keys: QueryKey[], matches: (event: LiveEvent) => boolean, everyMs = 500): LiveStatus {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ keys, matches });
  useEffect(() => {
    latest.current = { keys, matches };
  });
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  return useLiveEvents({
    onEvents: (events) => {
      if (timer.current || !events.some((e) => latest.current.matches(e))) return;
      timer.current = setTimeout(() => {
        timer.current = null;
        for (const queryKey of latest.current.keys) void queryClient.invalidateQueries({ queryKey });
      }, everyMs);
    },
  });
}

const STATUS = {
  live: { dot: "bg-emerald-500", text: "Live", title: "Updates arrive as they happen" },
  connecting: { dot: "bg-amber-400 animate-pulse", text: "Connecting…", title: "Reconnecting to the live stream; what happened meanwhile follows" },
  offline: { dot: "bg-red-500", text: "Offline", title: "The live stream is not available; retrying" },
} as const;

export function LiveIndicator({ status }: { status: LiveStatus }) {
  const s = STATUS[status];
  return (
    <span className="inline-flex items-center gap-1.5 text-xs font-medium text-slate-600" title={s.title} data-testid="live-status" data-status={status}>
      <span className={`h-2 w-2 rounded-full ${s.dot}`} aria-hidden />
      {s.text}
    </span>
  );
}
