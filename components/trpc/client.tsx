"use client";
// The client side of tRPC: <TRPCReactProvider> (in the root layout) and `useTRPC()` for queries and mutations:
//   const trpc = useTRPC();
//   const { data } = useQuery(trpc.affiliate.earnings.queryOptions());
// Subscriptions (the live streams) go over SSE (httpSubscriptionLink, answered by our own server); a stream that
// fails — the server restarting, a 429, a lost network — is opened again by retryLink with the last event id seen,
// so the server resumes it exactly there. Refusals (signed out, wrong role) are not retried.
import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, loggerLink, retryLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";
import superjson from "superjson";
import type { AppRouter } from "~/server/api/root";
import { makeQueryClient } from "./query-client";

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

let browserQueryClient: QueryClient | undefined;

function getQueryClient() {
  // The server renders each request with its own client; the browser keeps one for the page's lifetime.
  if (typeof window === "undefined") return makeQueryClient();
  return (browserQueryClient ??= makeQueryClient());
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const queryClient = getQueryClient();
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        loggerLink({ enabled: (op) => process.env.NODE_ENV === "development" && op.direction === "down" && op.result instanceof Error }),
        splitLink({
          condition: (op) => op.type === "subscription",
          true: [
            retryLink({
              retry: ({ error }) => !["UNAUTHORIZED", "FORBIDDEN", "BAD_REQUEST"].includes(error.data?.code ?? ""),
              retryDelayMs: (attempt) => Math.min(500 * attempt, 3_000),
            }),
            httpSubscriptionLink({ url: "/api/trpc", transformer: superjson }),
          ],
          false: httpBatchLink({ url: "/api/trpc", transformer: superjson, maxItems: 20 }),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
