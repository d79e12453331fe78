"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "~/components/trpc/client";
import { Badge } from "~/components/ui/page";
import { TableCard } from "~/components/ui/query-table";

const ACTIONS: Record<string, { label: string; tone: "green" | "red" | "gray" }> = {
  "fraud.release": { label: "Released", tone: "green" },
  "fraud.reverse": { label: "Reversed", tone: "red" },
  "fraud.close": { label: "Flags closed", tone: "gray" },
};

const when = (d: Date) => d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";

/** Who released or reversed what (or closed the flags of a commission already paid or reversed), and when. */
export function DecisionHistory() {
  const trpc = useTRPC();
  const history = useQuery(trpc.fraud.history.queryOptions());
  return (
    <TableCard
      title="Decision history"
      query={history}
      empty={{ title: "No decisions yet", hint: "Releases and reversals are listed here with who made them." }}
      label="Fraud decisions"
      rowKey={(r) => r.id}
      columns={[
        { header: "When", cell: (r) => when(r.at) },
        { header: "Who", cell: (r) => r.actor?.name ?? r.actor?.email ?? "system" },
        { header: "Decision", cell: (r) => <Badge tone={ACTIONS[r.action]?.tone ?? "gray"}>{ACTIONS[r.action]?.label ?? r.action}</Badge> },
        { header: "Commission", cell: (r) => <code className="text-xs">{r.commissionId.slice(0, 8)}</code> },
        {
          header: "Change",
          cell: (r) => {
            const d = r.data as { from?: string; to?: string; flags?: string[]; note?: string | null };
            return (
              <span className="text-slate-700">
                {d.from?.toLowerCase()} → {d.to?.toLowerCase()}
                {d.flags?.length ? <span className="text-slate-500"> · {d.flags.join(", ")}</span> : null}
                {d.note ? <span className="block text-xs text-slate-500">“{d.note}”</span> : null}
              </span>
            );
          },
        },
      ]}
    />
  );
}
