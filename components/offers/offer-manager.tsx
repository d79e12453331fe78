"use client";
// Offers, managed: the create/edit form and the table with pause, resume and archive. Merchants manage their own
// (merchant.*), managers every merchant's (offers.*, with a merchant to choose when creating). The form checks with
// the server's own zod schema (server/offers/schema.ts) before sending, shows each field's message from either side,
// and keeps what was typed.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { type FieldErrors, FormMessage, LabeledInput, SubmitButton, fieldErrors, inputClass } from "~/components/ui/form";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState, Skeleton } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import type { RouterOutputs } from "~/server/api/types";
import { formatRate, minorToDecimal, trimZeros } from "~/server/money";
import { CURRENCIES, managerCreateOfferInput, offerFormSchema, updateOfferInput } from "~/server/offers/schema";

type Audience = "merchant" | "manager";
type Offer = RouterOutputs["offers"]["list"][number];

/** The form as typed: every field a string (or a flag), so nothing typed is lost to a conversion. */
interface Draft {
  merchantId: string;
  name: string;
  destinationUrl: string;
  payoutModel: "CPA" | "REVSHARE";
  currency: string;
  rate: string;
  attributionWindowDays: string;
  holdingPeriodDays: string;
  dailyCap: string;
  monthlyCap: string;
  openToAffiliates: boolean;
}

type TextKey = Exclude<keyof Draft, "openToAffiliates" | "payoutModel">;

const EMPTY: Draft = {
  merchantId: "",
  name: "",
  destinationUrl: "",
  payoutModel: "CPA",
  currency: "EUR",
  rate: "",
  attributionWindowDays: "30",
  holdingPeriodDays: "30",
  dailyCap: "",
  monthlyCap: "",
  openToAffiliates: false,
};

function draftOf(offer: Offer): Draft {
  const rate = offer.payoutModel === "CPA" ? minorToDecimal(offer.cpaAmountMinor ?? 0, offer.currency) : trimZeros(minorToDecimal(offer.revshareBps ?? 0, "EUR"));
  return {
    merchantId: offer.merchantId,
    name: offer.name,
    destinationUrl: offer.destinationUrl ?? "",
    payoutModel: offer.payoutModel,
    currency: offer.currency,
    rate,
    attributionWindowDays: String(offer.attributionWindowDays),
    holdingPeriodDays: String(offer.holdingPeriodDays),
    dailyCap: offer.dailyCap === null ? "" : String(offer.dailyCap),
    monthlyCap: offer.monthlyCap === null ? "" : String(offer.monthlyCap),
    openToAffiliates: offer.openToAffiliates,
  };
}

/** Text to the schema's types: an empty number field is NaN (the schema names it), an empty cap is "no cap". */
const number = (text: string) => (text.trim() === "" ? Number.NaN : Number(text.trim()));
const optionalNumber = (text: string) => (text.trim() === "" ? null : Number(text.trim()));

function valuesOf(draft: Draft) {
  const { merchantId, ...rest } = draft;
  return {
    merchantId,
    fields: {
      ...rest,
      attributionWindowDays: number(draft.attributionWindowDays),
      holdingPeriodDays: number(draft.holdingPeriodDays),
      dailyCap: optionalNumber(draft.dailyCap),
      monthlyCap: optionalNumber(draft.monthlyCap),
    },
  };
}

export function OfferManager({ audience }: { audience: Audience }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Offer | null>(null);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.offers.list.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.merchant.manageableOffers.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.merchant.offers.pathKey() }),
    ]);
  return (
    <div className="space-y-6">
      <OfferForm key={editing?.id ?? "new"} audience={audience} offer={editing} onDone={() => (setEditing(null), void refresh())} />
      <OffersTable audience={audience} onEdit={setEditing} onChanged={() => void refresh()} />
    </div>
  );
}

function OfferForm({ audience, offer, onDone }: { audience: Audience; offer: Offer | null; onDone: () => void }) {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Draft>(offer ? draftOf(offer) : EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const merchants = useQuery({ ...trpc.offers.merchants.queryOptions(), enabled: audience === "manager" && !offer });
  const handlers = {
    onSuccess: (saved: { name: string }) => {
      setSaved(offer ? `Saved ${saved.name}. New conversions use these terms; earlier commissions keep theirs.` : `Created ${saved.name}.`);
      if (!offer) setDraft({ ...EMPTY, merchantId: draft.merchantId });
      onDone();
    },
    onError: (error: { message: string; data?: { code?: string; zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null } | null }) => {
      const fields = fieldErrors(error);
      setErrors(fields);
      setFailure(Object.keys(fields).length ? null : error.message);
    },
  };
  const merchantCreate = useMutation(trpc.merchant.createOffer.mutationOptions(handlers));
  const merchantUpdate = useMutation(trpc.merchant.updateOffer.mutationOptions(handlers));
  const managerCreate = useMutation(trpc.offers.create.mutationOptions(handlers));
  const managerUpdate = useMutation(trpc.offers.update.mutationOptions(handlers));
  const pending = merchantCreate.isPending || merchantUpdate.isPending || managerCreate.isPending || managerUpdate.isPending;

  const set = (key: keyof Draft) => (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value });
  // A plain function, not a component: a component defined here would be a new type each render and lose focus.
  const textField = ({ name, ...props }: { label: string; hint?: string; name: TextKey; placeholder?: string; inputMode?: "decimal" | "numeric" }) => (
    <LabeledInput label={props.label} hint={props.hint} error={errors[name]}>
      <input className={inputClass} value={draft[name]} onChange={set(name)} placeholder={props.placeholder} inputMode={props.inputMode} />
    </LabeledInput>
  );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(null);
    setFailure(null);
    const { merchantId, fields } = valuesOf(draft);
    const schema = offer ? updateOfferInput : audience === "manager" ? managerCreateOfferInput : offerFormSchema;
    const input = offer ? { ...fields, id: offer.id } : audience === "manager" ? { ...fields, merchantId } : fields;
    const checked = schema.safeParse(input);
    if (!checked.success) return setErrors(fieldErrors(checked.error));
    setErrors({});
    if (offer) (audience === "manager" ? managerUpdate : merchantUpdate).mutate({ ...fields, id: offer.id });
    else if (audience === "manager") managerCreate.mutate({ ...fields, merchantId });
    else merchantCreate.mutate(fields);
  };
  const title = offer ? `Edit ${offer.name}` : "New offer";
  return (
    <Card title={title} actions={offer ? <ActionButton label="Cancel" onClick={onDone} /> : undefined}>
      <form onSubmit={submit} noValidate aria-label={title} className="grid gap-4 md:grid-cols-2">
        {audience === "manager" && !offer && (
          <LabeledInput label="Merchant" error={errors.merchantId}>
            <select className={inputClass} value={draft.merchantId} onChange={set("merchantId")}>
              <option value="">Choose…</option>
              {(merchants.data ?? []).map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </LabeledInput>
        )}
        {textField({ label: "Name", name: "name" })}
        <LabeledInput label="Destination URL" hint="Where new links send visitors by default." error={errors.destinationUrl}>
          <input className={inputClass} value={draft.destinationUrl} onChange={set("destinationUrl")} placeholder="https://shop.example/landing" />
        </LabeledInput>
        <LabeledInput label="Commission model" error={errors.payoutModel}>
          <select className={inputClass} value={draft.payoutModel} onChange={set("payoutModel")}>
            <option value="CPA">CPA (a fixed amount per conversion)</option>
            <option value="REVSHARE">Revenue share (a percentage of the sale)</option>
          </select>
        </LabeledInput>
        <LabeledInput label="Currency" error={errors.currency}>
          <select className={inputClass} value={draft.currency} onChange={set("currency")}>
            {CURRENCIES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </LabeledInput>
        <LabeledInput
          label={draft.payoutModel === "CPA" ? `Commission per conversion (${draft.currency})` : "Share of the sale (%)"}
          hint={draft.payoutModel === "CPA" ? "e.g. 8.50" : "e.g. 12.5"}
          error={errors.rate}
        >
          <input className={inputClass} value={draft.rate} onChange={set("rate")} inputMode="decimal" />
        </LabeledInput>
        {textField({ label: "Attribution window (days)", hint: "A click pays for conversions this long after it (last click).", name: "attributionWindowDays", inputMode: "numeric" })}
        {textField({ label: "Holding period (days)", hint: "Commissions stay pending this long before approval.", name: "holdingPeriodDays", inputMode: "numeric" })}
        {textField({ label: "Daily cap (conversions)", hint: "Empty: no cap. Beyond it, postbacks are refused (offer_cap_reached).", name: "dailyCap", inputMode: "numeric" })}
        {textField({ label: "Monthly cap (conversions)", hint: "Empty: no cap.", name: "monthlyCap", inputMode: "numeric" })}
        <label className="flex items-center gap-2 self-end text-sm text-slate-700">
          <input type="checkbox" checked={draft.openToAffiliates} onChange={(e) => setDraft({ ...draft, openToAffiliates: e.target.checked })} />
          New affiliates may join without approval
        </label>
        <div className="flex items-center gap-4 md:col-span-2">
          <SubmitButton pending={pending} label={offer ? "Save offer" : "Create offer"} pendingLabel="Saving…" />
          {saved && <FormMessage tone="ok">{saved}</FormMessage>}
          {failure && <FormMessage tone="error">{failure}</FormMessage>}
        </div>
      </form>
    </Card>
  );
}

const STATUS: Record<Offer["status"], ReactNode> = {
  active: <Badge tone="green">Active</Badge>,
  paused: <Badge>Paused</Badge>,
  archived: <Badge tone="red">Archived</Badge>,
};

function caps(offer: Offer): string {
  const parts = [offer.dailyCap !== null && `${offer.dailyCap}/day`, offer.monthlyCap !== null && `${offer.monthlyCap}/month`].filter(Boolean);
  return parts.length ? parts.join(", ") : "none";
}

function OffersTable({ audience, onEdit, onChanged }: { audience: Audience; onEdit: (offer: Offer) => void; onChanged: () => void }) {
  const trpc = useTRPC();
  const [failure, setFailure] = useState<string | null>(null);
  const [archiving, setArchiving] = useState<string | null>(null);
  const list = useQuery(audience === "manager" ? trpc.offers.list.queryOptions({ includeArchived: true }) : trpc.merchant.manageableOffers.queryOptions());
  const handlers = { onSuccess: () => (setFailure(null), setArchiving(null), onChanged()), onError: (e: { message: string }) => setFailure(e.message) };
  const merchantStatus = useMutation(trpc.merchant.setOfferStatus.mutationOptions(handlers));
  const managerStatus = useMutation(trpc.offers.setStatus.mutationOptions(handlers));
  const status = audience === "manager" ? managerStatus : merchantStatus;
  const act = (id: string, action: "pause" | "resume" | "archive") => status.mutate({ id, action });
  return (
    <Card title={audience === "manager" ? "All offers" : "Manage offers"}>
      {failure && <FormMessage tone="error">{failure}</FormMessage>}
      <QueryState query={list} skeleton={<Skeleton rows={4} />}>
        {(offers) =>
          offers.length === 0 ? (
            <EmptyState title="No offers yet">Create the first one above.</EmptyState>
          ) : (
            <DataTable
              label="Offers"
              rows={offers}
              rowKey={(o) => o.id}
              columns={[
                { header: "Offer", cell: (o) => <span className="font-medium text-slate-900">{o.name}</span> },
                ...(audience === "manager" ? [{ header: "Merchant", cell: (o: Offer) => o.merchant.name }] : []),
                { header: "Commission", cell: (o) => formatRate(o) },
                { header: "Window / holding", cell: (o) => `${o.attributionWindowDays} d / ${o.holdingPeriodDays} d` },
                { header: "Caps", cell: (o) => caps(o) },
                { header: "Joining", cell: (o) => (o.openToAffiliates ? "open" : "approval") },
                { header: "Status", cell: (o) => STATUS[o.status] },
                {
                  header: "Actions",
                  cell: (o) =>
                    o.status === "archived" ? null : archiving === o.id ? (
                      <span className="flex flex-wrap items-center gap-2 text-xs text-slate-700">
                        Archive for good? Its links stop.
                        <ActionButton label="Yes, archive" tone="red" disabled={status.isPending} onClick={() => act(o.id, "archive")} />
                        <ActionButton label="Keep" onClick={() => setArchiving(null)} />
                      </span>
                    ) : (
                      <span className="flex flex-wrap gap-2">
                        <ActionButton label="Edit" onClick={() => onEdit(o)} />
                        {o.status === "active" ? (
                          <ActionButton label="Pause" disabled={status.isPending} onClick={() => act(o.id, "pause")} />
                        ) : (
                          <ActionButton label="Resume" disabled={status.isPending} onClick={() => act(o.id, "resume")} />
                        )}
                        <ActionButton label="Archive" tone="red" onClick={() => setArchiving(o.id)} />
                      </span>
                    ),
                },
              ]}
            />
          )
        }
      </QueryState>
    </Card>
  );
}
