import NextAuth from "next-auth";
import { authOptions } from "~/server/auth/options";
import { asLimitedResponse } from "~/server/auth/throttle";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// next-auth v4 detects an App Router call by the `params` in its second argument; options are built on first use.
// A sign-in refused by the limits (server/auth/throttle.ts) is answered 429 with Retry-After.
const handler = async (req: Request, ctx: RouteContext) => {
  const response = await (NextAuth as unknown as (req: Request, ctx: RouteContext, options: ReturnType<typeof authOptions>) => Promise<Response>)(
    req,
    ctx,
    authOptions(),
  );
  return req.method === "POST" ? asLimitedResponse(response) : response;
};

export { handler as GET, handler as POST };
