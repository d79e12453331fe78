"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { NavItem } from "./items";

/** The role's links; the current section is highlighted (the home link only on exactly its own path). */
export function NavLinks({ items }: { items: NavItem[] }) {
  const pathname = usePathname();
  const home = items[0]?.href;
  return (
    <nav className="flex flex-wrap items-center gap-1" aria-label="Main">
      {items.map((item) => {
        const active = item.href === home ? pathname === item.href : pathname.startsWith(item.href);
        return (
          <Link
            key={item.href}
            href={item.href}
            aria-current={active ? "page" : undefined}
            className={`rounded-md px-3 py-1.5 text-sm font-medium transition-colors ${
              active ? "bg-slate-900 text-white" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
            }`}
          >
            {item.label}
          </Link>
        );
      })}
    </nav>
  );
}
