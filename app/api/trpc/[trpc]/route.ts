import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { appRouter } from "~/server/api/root";
import { createTRPCContext } from "~/server/api/trpc";
import { logger } from "~/server/log";

const log = logger("trpc");

const handler = (req: Request) =>
  fetchRequestHandler({
    endpoint: "/api/trpc",
    req,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: req.headers }),
    onError: ({ path, error }) => {
      // Expected refusals (auth, validation, not found) are not worth a log line; real failures are.
      if (error.code === "INTERNAL_SERVER_ERROR") log.error({ path: path ?? "?", err: error.message }, "procedure failed");
    },
  });

export { handler as GET, handler as POST };
