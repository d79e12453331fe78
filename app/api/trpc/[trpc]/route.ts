import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "~/server/api/root";
import { createTRPCContext } from "~/server/api/trpc";
import { env } from "~/server/env";
import { countLimited } from "~/server/security/limits";

/** tRPC's message for a batch over maxBatchSize. */
const BATCH_TOO_LARGE = "Batch call exceeds maximum size";
import { logger } from "~/server/log";

const log = logger("trpc");

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    // More calls in one batch request are refused whole (400 "Batch call exceeds maximum size"; the app's own client
    // splits its batches at 20: components/trpc/client.tsx).
    maxBatchSize: env().TRPC_MAX_BATCH_SIZE,
    createContext: () => createTRPCContext({ headers: req.headers }),
    onError: ({ path, error }) => {
      if (error.code === "BAD_REQUEST" && error.message === BATCH_TOO_LARGE) countLimited("trpc_batch");
      // Expected refusals (auth, validation, not found) are not worth a log line; real failures are.
      if (error.code === "INTERNAL_SERVER_ERROR") log.error({ path: path ?? "?", err: error.message }, "procedure failed");
    },
  });

export { handler as GET, handler as POST };
