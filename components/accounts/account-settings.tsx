"use client";
// Every user's account page: change the password (the current one required; every other session ends, and this
// browser signs in again with the new one) and the recent sign-ins.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { PASSWORD_MIN, changePasswordInput } from "~/server/accounts/schema";
import { SchemaForm, TextField, useSchemaForm } from "./schema-form";

const at = (d: Date) => d.toISOString().slice(0, 16).replace("T", " ") + " UTC";

export function AccountSettings({ email }: { email: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signIns = useQuery(trpc.accounts.signIns.queryOptions());
  const form = useSchemaForm(changePasswordInput, { currentPassword: "", newPassword: "", confirm: "" });
  const [message, setMessage] = useState<string | null>(null);
  const change = useMutation(
    trpc.accounts.changePassword.mutationOptions({
      onSuccess: async (_r, input) => {
        // Every session ended, this one too: sign this browser in again with the new password.
        await signIn("credentials", { email, password: input.newPassword, redirect: false });
        form.reset();
        setMessage("Password changed. Every other session of yours has ended.");
        void queryClient.invalidateQueries({ queryKey: trpc.accounts.signIns.queryKey() });
      },
      onError: (e) => form.fail(e),
    }),
  );
  return (
    <div className="space-y-6">
      <Card title="Change your password">
        <SchemaForm
          form={form}
          label="Change your password"
          submitLabel="Change password"
          pendingLabel="Changing…"
          pending={change.isPending}
          done={message}
          onValid={(v) => {
            setMessage(null);
            change.mutate(v);
          }}
        >
          <TextField form={form} name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
          <TextField form={form} name="newPassword" label="New password" type="password" autoComplete="new-password" hint={`At least ${PASSWORD_MIN} characters`} />
          <TextField form={form} name="confirm" label="Repeat the new password" type="password" autoComplete="new-password" />
        </SchemaForm>
      </Card>
      <QueryState query={signIns}>
        {(rows) => (
          <Card title="Recent sign-ins">
            {rows.length === 0 ? (
              <EmptyState title="No sign-ins recorded yet" />
            ) : (
              <DataTable
                label="Recent sign-ins"
                rows={rows}
                rowKey={(r) => r.createdAt.toISOString()}
                columns={[
                  { header: "When", cell: (r) => at(r.createdAt) },
                  { header: "IP", cell: (r) => r.ip ?? "—" },
                  { header: "Browser", cell: (r) => <span className="text-xs text-slate-600">{r.userAgent ?? "—"}</span> },
                ]}
              />
            )}
          </Card>
        )}
      </QueryState>
    </div>
  );
}
