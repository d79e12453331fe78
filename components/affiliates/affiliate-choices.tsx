"use client";
// Choosing one affiliate among thousands: a select of the first 50 matches (by name) and a search box that narrows
// them, server-side (manager.affiliateChoices). The selected affiliate stays a choice whatever the search.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import type { Choice } from "~/components/postbacks/filter-select";

/** The choices for a select holding `selected`, and the search that narrows them (debounced). */
export function useAffiliateChoices(selected: string) {
  const trpc = useTRPC();
  const [search, setSearch] = useState("");
  const [debounced, setDebounced] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);
  const query = useQuery({
    ...trpc.manager.affiliateChoices.queryOptions({ search: debounced || undefined, selected: selected || undefined }),
    placeholderData: keepPreviousData,
  });
  const choices: Choice[] = (query.data?.choices ?? []).map((a) => ({ value: a.id, label: a.name }));
  const more = query.data ? query.data.total - query.data.shown : 0;
  return { choices, search, setSearch, more, loading: query.isLoading };
}

/** The search box beside an affiliate select; says how many matches are not listed. */
export function AffiliateSearch({ search, setSearch, more }: Pick<ReturnType<typeof useAffiliateChoices>, "search" | "setSearch" | "more">) {
  return (
    <label className="flex flex-col gap-1">
      <span className="text-xs font-medium text-slate-600">Search by name or email</span>
      <input
        type="search"
        aria-label="Search by name or email"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        placeholder="e.g. Green Thumb"
        className="rounded-md border border-slate-300 px-2 py-1.5 text-sm"
      />
      {more > 0 && <span className="text-xs text-slate-500">{more.toLocaleString("en")} more: type to narrow</span>}
    </label>
  );
}
