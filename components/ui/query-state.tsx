"use client";
// Loading and error states for a react-query result, so every page handles both the same way:
//   <QueryState query={useQuery(trpc.x.queryOptions())}>{(data) => …}</QueryState>
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";

export function QueryState<T>({
  query,
  children,
  skeleton = <Skeleton />,
}: {
  query: UseQueryResult<T, { message: string }>;
  children: (data: T) => ReactNode;
  skeleton?: ReactNode;
}) {
  if (query.isPending) return skeleton;
  if (query.isError) {
    return (
      <div role="alert" className="flex items-center justify-between gap-4 rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
        <span>Could not load this: {query.error.message}</span>
        <button type="button" onClick={() => void query.refetch()} className="font-medium underline hover:no-underline">
          Retry
        </button>
      </div>
    );
  }
  return children(query.data);
}

export function Skeleton({ rows = 3 }: { rows?: number }) {
  return (
    <div className="animate-pulse space-y-3" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-4 rounded bg-slate-200" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}
