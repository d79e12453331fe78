"use client";
// Managers' side of joining: pending applications (approve → the one-time link to send; reject with a reason),
// invitations by email, and link requests (approve → the link exists; reject with a reason).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { IssuedLink, SchemaForm, TextField, useSchemaForm } from "~/components/accounts/schema-form";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { FormMessage } from "~/components/ui/form";
import { Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import { inviteInput, rejectApplicationInput, rejectLinkRequestInput } from "~/server/accounts/schema";

type Issued = { who: string; link: { url: string; expiresAt: Date; mailed: boolean } };

export function Joining() {
  const [issued, setIssued] = useState<Issued | null>(null);
  return (
    <div className="space-y-6">
      {issued && <IssuedLink who={issued.who} link={issued.link} />}
      <Applications onIssued={setIssued} />
      <LinkRequests />
      <Invite onIssued={setIssued} />
    </div>
  );
}

function Applications({ onIssued }: { onIssued: (issued: Issued) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.accounts.applications.queryOptions({ status: "PENDING" }));
  const [rejecting, setRejecting] = useState<{ id: string; name: string } | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.accounts.applications.queryKey() });
  const approve = useMutation(
    trpc.accounts.approveApplication.mutationOptions({
      onSuccess: (result, input) => {
        void refresh();
        onIssued({ who: list.data?.find((a) => a.id === input.applicationId)?.email ?? "the applicant", link: result.link });
      },
    }),
  );
  return (
    <QueryState query={list}>
      {(rows) => (
        <Card title={`Pending applications (${rows.length})`}>
          {approve.error && <FormMessage tone="error">{approve.error.message}</FormMessage>}
          {rejecting && <RejectForm what={`the application of ${rejecting.name}`} id={rejecting.id} kind="application" onDone={() => (setRejecting(null), void refresh())} />}
          {rows.length === 0 ? (
            <EmptyState title="No application is waiting">New applications from /join appear here.</EmptyState>
          ) : (
            <DataTable
              label="Pending applications"
              rows={rows}
              rowKey={(a) => a.id}
              columns={[
                { header: "Applicant", cell: (a) => <span>{a.name} <span className="block text-xs text-slate-500">{a.email}</span></span> },
                { header: "Website", cell: (a) => <span className="break-all text-xs">{a.website}</span> },
                { header: "Audience", cell: (a) => <span className="text-xs text-slate-600">{a.audience}</span> },
                { header: "Country", cell: (a) => a.payoutCountry },
                {
                  header: "",
                  align: "right",
                  cell: (a) => (
                    <span className="flex justify-end gap-2">
                      <ActionButton label={`Approve ${a.name}`} disabled={approve.isPending} onClick={() => approve.mutate({ applicationId: a.id })} />
                      <ActionButton label={`Reject ${a.name}`} tone="red" onClick={() => setRejecting({ id: a.id, name: a.name })} />
                    </span>
                  ),
                },
              ]}
            />
          )}
        </Card>
      )}
    </QueryState>
  );
}

function LinkRequests() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.linkRequests.list.queryOptions({ status: "PENDING" }));
  const [rejecting, setRejecting] = useState<{ id: string; name: string } | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.linkRequests.list.queryKey() });
  const approve = useMutation(
    trpc.linkRequests.approve.mutationOptions({
      onSuccess: (result) => {
        void refresh();
        setMessage(`Link /go/${result.link.slug} created.`);
      },
    }),
  );
  return (
    <QueryState query={list}>
      {(rows) => (
        <Card title={`Link requests (${rows.length})`}>
          {message && <FormMessage tone="ok">{message}</FormMessage>}
          {approve.error && <FormMessage tone="error">{approve.error.message}</FormMessage>}
          {rejecting && <RejectForm what={`the link request of ${rejecting.name}`} id={rejecting.id} kind="linkRequest" onDone={() => (setRejecting(null), void refresh())} />}
          {rows.length === 0 ? (
            <EmptyState title="No link request is waiting" />
          ) : (
            <DataTable
              label="Link requests"
              rows={rows}
              rowKey={(r) => r.id}
              columns={[
                { header: "Affiliate", cell: (r) => r.affiliate?.name ?? r.affiliateId },
                { header: "Offer", cell: (r) => r.offer?.name ?? r.offerId },
                { header: "Destination", cell: (r) => <span className="break-all text-xs">{r.destinationUrl}</span> },
                { header: "Note", cell: (r) => <span className="text-xs text-slate-600">{r.note}</span> },
                {
                  header: "",
                  align: "right",
                  cell: (r) => {
                    const name = `${r.affiliate?.name ?? "affiliate"} for ${r.offer?.name ?? "offer"}`;
                    return (
                      <span className="flex justify-end gap-2">
                        <ActionButton label={`Approve link ${name}`} disabled={approve.isPending} onClick={() => approve.mutate({ requestId: r.id })} />
                        <ActionButton label={`Reject link ${name}`} tone="red" onClick={() => setRejecting({ id: r.id, name })} />
                      </span>
                    );
                  },
                },
              ]}
            />
          )}
        </Card>
      )}
    </QueryState>
  );
}

function RejectForm({ what, id, kind, onDone }: { what: string; id: string; kind: "application" | "linkRequest"; onDone: () => void }) {
  const trpc = useTRPC();
  const isApplication = kind === "application";
  const form = useSchemaForm(isApplication ? rejectApplicationInput : rejectLinkRequestInput, isApplication ? { applicationId: id, reason: "" } : { requestId: id, reason: "" });
  const options = { onSuccess: onDone, onError: (e: Parameters<typeof form.fail>[0]) => form.fail(e) };
  const rejectApplication = useMutation(trpc.accounts.rejectApplication.mutationOptions(options));
  const rejectRequest = useMutation(trpc.linkRequests.reject.mutationOptions(options));
  return (
    <div className="mb-4 rounded-md border border-red-200 p-4">
      <SchemaForm
        form={form}
        label={`Reject ${what}`}
        submitLabel="Reject"
        pendingLabel="Rejecting…"
        pending={rejectApplication.isPending || rejectRequest.isPending}
        onValid={(v) => (isApplication ? rejectApplication.mutate({ applicationId: id, reason: String(v.reason) }) : rejectRequest.mutate({ requestId: id, reason: String(v.reason) }))}
      >
        <TextField form={form} name="reason" label={`Why reject ${what}?`} />
      </SchemaForm>
    </div>
  );
}

function Invite({ onIssued }: { onIssued: (issued: Issued) => void }) {
  const trpc = useTRPC();
  const form = useSchemaForm(inviteInput, { name: "", email: "" });
  const invite = useMutation(
    trpc.accounts.invite.mutationOptions({
      onSuccess: (result, input) => {
        form.reset();
        onIssued({ who: input.email, link: result.link });
      },
      onError: (e) => form.fail(e),
    }),
  );
  return (
    <Card title="Invite an affiliate">
      <SchemaForm form={form} label="Invite an affiliate" submitLabel="Invite" pendingLabel="Inviting…" pending={invite.isPending} onValid={(v) => invite.mutate(v)}>
        <TextField form={form} name="name" label="Name" />
        <TextField form={form} name="email" label="Email" type="email" />
      </SchemaForm>
    </Card>
  );
}
