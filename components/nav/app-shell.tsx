// The frame of every signed-in page: product name, the role's links, who is signed in, sign out.
import Link from "next/link";
import type { ReactNode } from "react";
import { ROLE_HOME, ROLE_LABEL } from "~/server/auth/roles";
import type { SessionUser } from "~/server/auth/types";
import { NAV } from "./items";
import { NavLinks } from "./nav-links";
import { SignOutButton } from "./sign-out-button";

export function AppShell({ user, children }: { user: SessionUser; children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-3 px-6 py-3">
          <Link href={ROLE_HOME[user.role]} className="flex items-center gap-2 font-semibold tracking-tight text-slate-900">
            <span className="grid h-7 w-7 place-items-center rounded-md bg-indigo-600 text-xs font-bold text-white">AP</span>
            Affiliate Platform
          </Link>
          <NavLinks items={NAV[user.role]} />
          <div className="ml-auto flex items-center gap-3">
            <div className="text-right leading-tight">
              <div className="text-sm font-medium text-slate-900" data-testid="user-email">
                {user.email}
              </div>
              <div className="text-xs text-slate-500">{ROLE_LABEL[user.role]}</div>
            </div>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-6 py-8">{children}</main>
    </div>
  );
}
