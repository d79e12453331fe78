"use client";
// The merchant's endpoints: add / edit, send a test event, rotate the secret, disable / re-enable (with a preview
// of what a replay would send), and the way to each endpoint's delivery log. Secrets appear once, in the dialog
// after create or rotate.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { EndpointForm, type EndpointValues } from "./endpoint-form";
import { SecretDialog } from "./secret-dialog";

const dateTime = (d: Date) => d.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });

export function WebhookEndpoints() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.webhooks.endpoints.queryOptions());
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [secret, setSecret] = useState<{ value: string; note?: string } | null>(null);
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string } | null>(null);
  const [reEnabling, setReEnabling] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
  const onError = (e: { message: string }) => setNotice({ tone: "error", text: e.message });
  const done = (text: string) => {
    setNotice({ tone: "ok", text });
    void refresh();
  };

  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: (r) => {
        setEditing(null);
        setSecret({ value: r.secret });
        done("Endpoint added.");
      },
    }),
  );
  const update = useMutation(trpc.webhooks.update.mutationOptions({ onSuccess: () => (setEditing(null), done("Endpoint saved.")) }));
  const sendTest = useMutation(trpc.webhooks.sendTest.mutationOptions({ onSuccess: (r) => done(`Test event ${r.eventId} queued.`), onError }));
  const rotate = useMutation(
    trpc.webhooks.rotateSecret.mutationOptions({
      onSuccess: (r) => {
        const note = r.previousSecretValidUntil
          ? `The previous secret keeps signing too (a second signature) until ${dateTime(r.previousSecretValidUntil)}.`
          : "The previous secret could not be read, so only the new one signs from now on.";
        setSecret({ value: r.secret, note });
        done("Secret rotated.");
      },
      onError,
    }),
  );
  const disable = useMutation(trpc.webhooks.disable.mutationOptions({ onSuccess: () => done("Endpoint disabled."), onError }));
  const enable = useMutation(
    trpc.webhooks.enable.mutationOptions({
      onSuccess: (r) => {
        setReEnabling(null);
        done(r.replayed ? `Endpoint re-enabled; ${r.replayed.toLocaleString("en-GB")} deliveries queued.` : "Endpoint re-enabled.");
      },
      onError,
    }),
  );
  const busy = sendTest.isPending || rotate.isPending || disable.isPending || enable.isPending;

  const openForm = (target: string | "new") => {
    create.reset();
    update.reset();
    setNotice(null);
    setEditing(target);
  };

  return (
    <div className="space-y-6">
      {notice && (
        <div
          role={notice.tone === "error" ? "alert" : "status"}
          className={`rounded-lg border px-4 py-3 text-sm ${notice.tone === "error" ? "border-red-200 bg-red-50 text-red-800" : "border-emerald-200 bg-emerald-50 text-emerald-800"}`}
        >
          {notice.text}
        </div>
      )}
      {secret && <SecretDialog secret={secret.value} note={secret.note} onClose={() => setSecret(null)} />}

      <Card
        title="Endpoints"
        actions={
          editing !== "new" && (
            <button type="button" onClick={() => openForm("new")} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">
              Add endpoint
            </button>
          )
        }
      >
        {editing === "new" && (
          <div className="mb-6 rounded-lg border border-indigo-100 bg-indigo-50/30 p-4">
            <EndpointForm
              submitLabel="Add endpoint"
              pending={create.isPending}
              error={create.error}
              onSubmit={(values) => create.mutate(values)}
              onCancel={() => setEditing(null)}
            />
          </div>
        )}
        <QueryState query={endpoints}>
          {(list) =>
            list.length === 0 ? (
              <EmptyState title="No endpoints yet">Add one to receive conversions, commissions and fraud flags as they happen.</EmptyState>
            ) : (
              <ul className="divide-y divide-slate-100">
                {list.map((ep) => (
                  <li key={ep.id} className="py-4 first:pt-0 last:pb-0" data-testid="webhook-endpoint">
                    {editing === ep.id ? (
                      <EndpointForm
                        initial={{ url: ep.url, description: ep.description, eventTypes: ep.eventTypes as EndpointValues["eventTypes"] }}
                        submitLabel="Save"
                        pending={update.isPending}
                        error={update.error}
                        onSubmit={(values) => update.mutate({ id: ep.id, ...values })}
                        onCancel={() => setEditing(null)}
                      />
                    ) : (
                      <div className="flex flex-wrap items-start justify-between gap-4">
                        <div className="min-w-0 space-y-1">
                          <div className="flex flex-wrap items-center gap-2">
                            <span className="break-all font-mono text-sm text-slate-900">{ep.url}</span>
                            {ep.enabled ? (
                              ep.failingSince ? <Badge tone="amber">failing since {dateTime(ep.failingSince)}</Badge> : <Badge tone="green">enabled</Badge>
                            ) : (
                              <Badge tone="red">disabled</Badge>
                            )}
                          </div>
                          {ep.description && <p className="text-sm text-slate-600">{ep.description}</p>}
                          {!ep.enabled && ep.disabledReason && (
                            <p className="text-sm text-red-700">
                              Disabled{ep.disabledAt ? ` ${dateTime(ep.disabledAt)}` : ""}: {ep.disabledReason}
                            </p>
                          )}
                          <p className="text-xs text-slate-500">
                            {ep.eventTypes.length ? ep.eventTypes.join(", ") : "All event types"} · secret {ep.secretHint}
                            {ep.previousSecretValidUntil && ` · previous secret also signs until ${dateTime(ep.previousSecretValidUntil)}`}
                          </p>
                          <p className="text-xs text-slate-500">
                            Last 24 h: {ep.last24h.succeeded} delivered · {ep.last24h.pending} pending · {ep.last24h.failed} failed
                          </p>
                        </div>
                        <div className="flex flex-wrap gap-2">
                          <Link href={`/merchant/webhooks/${ep.id}`} className="rounded-md px-2.5 py-1 text-xs font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50">
                            Delivery log
                          </Link>
                          <ActionButton label="Edit" disabled={busy} onClick={() => openForm(ep.id)} />
                          {ep.enabled && <ActionButton label="Send test event" disabled={busy} onClick={() => sendTest.mutate({ id: ep.id })} />}
                          <ActionButton label="Rotate secret" disabled={busy} onClick={() => confirm(rotationWarning(ep.previousSecretValidUntil)) && rotate.mutate({ id: ep.id })} />
                          {ep.enabled ? (
                            <ActionButton
                              label="Disable"
                              tone="red"
                              disabled={busy}
                              onClick={() => confirm("Disable this endpoint? Pending deliveries are failed; you can replay them after re-enabling.") && disable.mutate({ id: ep.id })}
                            />
                          ) : (
                            <>
                              <ActionButton label="Re-enable" disabled={busy} onClick={() => enable.mutate({ id: ep.id, replayFailed: false })} />
                              <ActionButton label="Re-enable and replay…" disabled={busy || reEnabling === ep.id} onClick={() => setReEnabling(ep.id)} />
                            </>
                          )}
                        </div>
                        {!ep.enabled && reEnabling === ep.id && (
                          <ReplayConfirmation
                            endpointId={ep.id}
                            pending={enable.isPending}
                            onConfirm={() => enable.mutate({ id: ep.id, replayFailed: true })}
                            onCancel={() => setReEnabling(null)}
                          />
                        )}
                      </div>
                    )}
                  </li>
                ))}
              </ul>
            )
          }
        </QueryState>
      </Card>
      <VerifyingHelp />
    </div>
  );
}

/** The confirmation text of "Rotate secret": during a rotation window, rotating again retires the older secret. */
function rotationWarning(previousValidUntil: Date | null): string {
  if (!previousValidUntil) return "Rotate the signing secret? The current one keeps signing for 24 hours.";
  return (
    `A rotation is in progress: the secret you replaced last time still signs until ${dateTime(previousValidUntil)}. ` +
    "Rotating again stops it signing NOW — receivers still verifying with it will reject every delivery. " +
    "Only the current secret keeps signing for 24 hours, next to the new one. Rotate anyway?"
  );
}

/** What "re-enable and replay" will send, counted before the merchant confirms. */
function ReplayConfirmation({ endpointId, pending, onConfirm, onCancel }: { endpointId: string; pending: boolean; onConfirm: () => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.webhooks.replayPreview.queryOptions({ id: endpointId }, { staleTime: 0 }));
  const count = (n: number, cap: number) => (n >= cap ? `${cap.toLocaleString("en-GB")}+` : n.toLocaleString("en-GB"));
  return (
    <div role="region" aria-label="Replay preview" className="mt-3 w-full rounded-lg border border-amber-200 bg-amber-50 p-4 text-sm text-amber-900">
      <QueryState query={preview} skeleton={<p>Counting what the outage missed…</p>}>
        {({ failed, missed, cap }) => (
          <>
            <p data-testid="replay-preview">
              {failed + missed === 0
                ? "Nothing to replay: no delivery failed during the outage and no event arrived while the endpoint was disabled."
                : `Re-enabling will send ${count(failed, cap)} ${failed === 1 ? "delivery" : "deliveries"} that failed during the outage and ${count(missed, cap)} ${missed === 1 ? "event" : "events"} that arrived while the endpoint was disabled.`}
            </p>
            <div className="mt-3 flex gap-2">
              <button type="button" disabled={pending} onClick={onConfirm} className="rounded-md bg-indigo-600 px-3 py-1.5 text-xs font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
                {pending ? "Re-enabling…" : failed + missed === 0 ? "Re-enable" : `Re-enable and replay ${count(failed + missed, cap)}`}
              </button>
              <ActionButton label="Cancel" onClick={onCancel} />
            </div>
          </>
        )}
      </QueryState>
    </div>
  );
}

function VerifyingHelp() {
  return (
    <Card title="Verifying requests">
      <div className="space-y-3 text-sm text-slate-600">
        <p>
          Every request carries <code>webhook-id</code> (the event id, the same on every retry — use it to drop duplicates),{" "}
          <code>webhook-timestamp</code> and <code>webhook-signature</code>, per{" "}
          <a className="text-indigo-700 underline" href="https://www.standardwebhooks.com" target="_blank" rel="noreferrer">
            Standard Webhooks
          </a>
          . Verify with any Standard Webhooks library and the endpoint&apos;s secret, on the raw body:
        </p>
        <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">{`import { Webhook } from "standardwebhooks";
const event = new Webhook(process.env.WEBHOOK_SECRET).verify(rawBody, headers);
// { id, type, api_version, created_at, data }`}</pre>
        <p>
          Answer 2xx within 10 seconds. Anything else is retried after about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (we honour
          Retry-After). 410 Gone disables the endpoint; so do 24 hours without a single success.
        </p>
      </div>
    </Card>
  );
}
