"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { FormMessage } from "~/components/ui/form";
import { Card } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";

/** Who is signed in, and "End sessions": the user is signed out at their next request (audited). */
export function UserSessions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.manager.userSessions.queryOptions());
  const [done, setDone] = useState<string | null>(null);
  const end = useMutation(
    trpc.manager.endUserSessions.mutationOptions({
      onSuccess: ({ ended }, { userId }) => {
        const email = users.data?.find((u) => u.id === userId)?.email ?? "the user";
        setDone(`Ended ${ended} session${ended === 1 ? "" : "s"} of ${email}: they sign in again at their next request.`);
        void queryClient.invalidateQueries({ queryKey: trpc.manager.userSessions.queryKey() });
      },
    }),
  );
  return (
    <Card title="Sessions">
      <div className="mb-4 space-y-2 text-sm text-slate-600">
        <p>Users by open sessions. “End sessions” signs a user out everywhere (a stolen cookie included); it is audited.</p>
        {done && <FormMessage tone="ok">{done}</FormMessage>}
        {end.error && <FormMessage tone="error">{end.error.message}</FormMessage>}
      </div>
      <QueryState query={users}>
        {(rows) => (
          <DataTable
            label="User sessions"
            rows={rows}
            rowKey={(u) => u.id}
            columns={[
              { header: "User", cell: (u) => <span data-testid="session-user">{u.email}</span> },
              { header: "Role", cell: (u) => u.role.toLowerCase() },
              { header: "Open sessions", align: "right", cell: (u) => u.openSessions },
              { header: "Last sign-in", cell: (u) => (u.lastSignIn ? u.lastSignIn.toLocaleString("en-GB") : "—") },
              {
                header: "",
                align: "right",
                cell: (u) => <ActionButton label="End sessions" tone="red" disabled={end.isPending || u.openSessions === 0} onClick={() => end.mutate({ userId: u.id })} />,
              },
            ]}
          />
        )}
      </QueryState>
    </Card>
  );
}
