import NextAuth from "next-auth";
import { authOptions } from "~/server/auth/options";

type RouteContext = { params: Promise<{ nextauth: string[] }> };

// next-auth v4 detects an App Router call by the `params` in its second argument; options are built on first use.
const handler = (req: Request, ctx: RouteContext) =>
  (NextAuth as unknown as (req: Request, ctx: RouteContext, options: ReturnType<typeof authOptions>) => Promise<Response>)(
    req,
    ctx,
    authOptions(),
  );

export { handler as GET, handler as POST };
