// Session access for server components, layouts and the tRPC context (request scope only: reads the cookies).
import { getServerSession } from "next-auth";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { authOptions } from "./options";
import { ROLE_HOME, type RoleName } from "./roles";
import type { AppSession } from "./types";

/** The signed-in session, or null; one decode per request however many components ask. */
export const getSession = cache(async (): Promise<AppSession | null> => {
  // A request-time API before anything else: a page that asks for the session is rendered per request, never
  // prerendered at build time (when there is no configuration to read and no user).
  await cookies();
  const session = await getServerSession(authOptions());
  return session?.user?.id ? (session as AppSession) : null;
});

/** For a role's layout: strangers go to /signin, other roles go to their own home. */
export async function requireRole(role: RoleName): Promise<AppSession> {
  const session = await getSession();
  if (!session) redirect("/signin");
  if (session.user.role !== role) redirect(ROLE_HOME[session.user.role]);
  return session;
}
