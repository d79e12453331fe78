import type { ReactNode } from "react";
import { AppShell } from "~/components/nav/app-shell";
import { requireRole } from "~/server/auth/session";

// Every page under /manager: signed-out visitors go to /signin, other roles to their own home.
export default async function ManagerLayout({ children }: { children: ReactNode }) {
  const session = await requireRole("MANAGER");
  return <AppShell user={session.user}>{children}</AppShell>;
}
