"use client";
import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { SchemaForm, TextField, useSchemaForm } from "~/components/accounts/schema-form";
import { useTRPC } from "~/components/trpc/client";
import { Card } from "~/components/ui/page";
import { PASSWORD_MIN, setPasswordInput } from "~/server/accounts/schema";

/** Sets the password, then signs in with it (the link is used up either way). */
export function SetPasswordForm({ token, email }: { token: string; email: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const form = useSchemaForm(setPasswordInput, { token, password: "", confirm: "" });
  const set = useMutation(
    trpc.accounts.setPassword.mutationOptions({
      onSuccess: async (_r, input) => {
        const result = await signIn("credentials", { email, password: input.password, redirect: false });
        router.replace(result?.ok ? "/" : "/signin");
        router.refresh();
      },
      onError: (e) => form.fail(e),
    }),
  );
  return (
    <Card>
      <p className="mb-4 text-sm text-slate-600">
        For <strong>{email}</strong>
      </p>
      <SchemaForm form={form} label="Set your password" submitLabel="Set password" pendingLabel="Saving…" pending={set.isPending} onValid={(v) => set.mutate(v)}>
        <TextField form={form} name="password" label="New password" type="password" autoComplete="new-password" hint={`At least ${PASSWORD_MIN} characters`} />
        <TextField form={form} name="confirm" label="Repeat the password" type="password" autoComplete="new-password" />
        {form.errors.token && <p role="alert" className="text-sm text-red-700">{form.errors.token}</p>}
      </SchemaForm>
    </Card>
  );
}
