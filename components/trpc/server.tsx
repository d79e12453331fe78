import "server-only";
// tRPC in server components, without HTTP:
//   const data = await api.affiliate.earnings();                            // direct call
//   await prefetch(trpc.affiliate.earnings.queryOptions()); <HydrateClient>… // data for a client component
import { dehydrate, HydrationBoundary } from "@tanstack/react-query";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { headers } from "next/headers";
import { cache, type ReactNode } from "react";
import { appRouter, createCaller } from "~/server/api/root";
import { createTRPCContext } from "~/server/api/trpc";
import { makeQueryClient } from "./query-client";

const context = cache(async () => createTRPCContext({ headers: new Headers(await headers()) }));

/** One QueryClient per request. */
export const getQueryClient = cache(makeQueryClient);

export const trpc = createTRPCOptionsProxy({ ctx: context, router: appRouter, queryClient: getQueryClient });

/** A caller for the current request's session (the context is built lazily, once per request). */
export const api = createCaller(context);

type QueryOptions = Parameters<ReturnType<typeof getQueryClient>["prefetchQuery"]>[0];

/**
 * Runs queries on the server so the page arrives with its data. Never throws: a failed query is left out of the
 * hydrated state, and the client component retries it and shows its own error state.
 */
export async function prefetch(...queries: Array<{ queryKey: readonly unknown[] }>): Promise<void> {
  await Promise.all(queries.map((q) => getQueryClient().prefetchQuery(q as QueryOptions)));
}

export function HydrateClient({ children }: { children: ReactNode }) {
  return <HydrationBoundary state={dehydrate(getQueryClient())}>{children}</HydrationBoundary>;
}
