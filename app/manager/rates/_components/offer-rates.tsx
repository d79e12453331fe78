"use client";
// One offer at a time: its own rate, its volume tiers (edited as a list, saved at once) and its per-affiliate
// overrides (set or replace one, remove one after a confirmation). Rates are typed in the offer's terms: an amount
// in its currency for CPA, a percentage for revenue share.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { FilterSelect } from "~/components/postbacks/filter-select";
import { AffiliateSearch, useAffiliateChoices } from "~/components/affiliates/affiliate-choices";
import { useTRPC } from "~/components/trpc/client";
import { ActionButton } from "~/components/ui/action-button";
import { FormMessage, LabeledInput, inputClass, issuesByField } from "~/components/ui/form";
import { Badge, Card, EmptyState } from "~/components/ui/page";
import { QueryState } from "~/components/ui/query-state";
import { DataTable } from "~/components/ui/table";
import type { RouterOutputs } from "~/server/api/types";
import { formatBps, minorToDecimal } from "~/server/money";

type Offer = RouterOutputs["rates"]["offers"][number];

const rateHint = (offer: Offer) => (offer.payoutModel === "CPA" ? `Amount in ${offer.currency} per conversion, e.g. 8.50` : "Percentage of the sale, e.g. 12.5");

export function OfferRates() {
  const trpc = useTRPC();
  const offers = useQuery(trpc.rates.offers.queryOptions());
  const [offerId, setOfferId] = useState("");
  return (
    <QueryState query={offers}>
      {(list) => {
        const offer = list.find((o) => o.id === offerId) ?? list[0];
        if (!offer) return <EmptyState title="No offers yet">Offers appear here once merchants have them.</EmptyState>;
        return (
          <Card
            title="Offer commissions"
            actions={<FilterSelect label="Offer" inline value={offer.id} onChange={setOfferId} choices={list.map((o) => ({ value: o.id, label: `${o.merchant.name} · ${o.name}` }))} all={false} />}
          >
            <p className="mb-5 text-sm text-slate-600">
              <span className="font-medium text-slate-900">{offer.name}</span> ({offer.merchant.name}) pays <span data-testid="offer-rate">{offer.rate}</span>
              {!offer.active && <Badge tone="gray">inactive</Badge>}. An affiliate&apos;s override wins over the tiers; the highest tier reached this month (UTC, their
              conversions on this offer, this one included) wins over the offer&apos;s rate.
            </p>
            <div className="grid gap-8 lg:grid-cols-2">
              <TiersEditor key={`tiers-${offer.id}`} offer={offer} />
              <Overrides key={`overrides-${offer.id}`} offer={offer} />
            </div>
          </Card>
        );
      }}
    </QueryState>
  );
}

type TierDraft = { minConversions: string; rate: string };

/** A stored tier as the manager would type it: "8.00" (CPA, in the offer's currency) or "12.5" (percent). */
function draftOf(offer: Offer, tier: Offer["tiers"][number]): TierDraft {
  const rate = offer.payoutModel === "CPA" ? minorToDecimal(tier.cpaAmountMinor ?? 0, offer.currency) : formatBps(tier.revshareBps ?? 0).replace(/%$/, "");
  return { minConversions: String(tier.minConversions), rate };
}

function TiersEditor({ offer }: { offer: Offer }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [tiers, setTiers] = useState<TierDraft[]>(() => offer.tiers.map((t) => draftOf(offer, t)));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useMutation(
    trpc.rates.setTiers.mutationOptions({
      onSuccess: () => {
        setErrors({});
        void queryClient.invalidateQueries({ queryKey: trpc.rates.offers.queryKey() });
      },
      onError: (error) => setErrors(issuesByField(error)),
    }),
  );
  const update = (i: number, field: keyof TierDraft, value: string) => setTiers(tiers.map((t, j) => (j === i ? { ...t, [field]: value } : t)));
  const submit = () => save.mutate({ offerId: offer.id, tiers: tiers.map((t) => ({ minConversions: Number(t.minConversions), rate: t.rate })) });

  return (
    <form
      aria-label="Volume tiers"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <h3 className="text-sm font-semibold text-slate-900">Volume tiers</h3>
      {tiers.length === 0 && <p className="text-sm text-slate-500">No tiers: every conversion pays the offer&apos;s rate.</p>}
      {tiers.map((tier, i) => (
        <div key={i} className="grid grid-cols-[1fr_1fr_auto] items-end gap-3">
          <LabeledInput label={`Tier ${i + 1}: from conversions`} error={errors[`tiers.${i}.minConversions`]}>
            <input inputMode="numeric" value={tier.minConversions} onChange={(e) => update(i, "minConversions", e.target.value)} className={inputClass} />
          </LabeledInput>
          <LabeledInput label={`Tier ${i + 1}: rate`} error={errors[`tiers.${i}.rate`]}>
            <input inputMode="decimal" value={tier.rate} placeholder={rateHint(offer)} onChange={(e) => update(i, "rate", e.target.value)} className={inputClass} />
          </LabeledInput>
          <ActionButton label="Remove" tone="red" onClick={() => setTiers(tiers.filter((_, j) => j !== i))} />
        </div>
      ))}
      <p className="text-xs text-slate-500">{rateHint(offer)}.</p>
      {(errors._ ?? errors.tiers) && <FormMessage tone="error">{errors._ ?? errors.tiers}</FormMessage>}
      {save.isSuccess && !save.isPending && <FormMessage tone="ok">Tiers saved.</FormMessage>}
      <div className="flex gap-3">
        <button type="button" onClick={() => setTiers([...tiers, { minConversions: "", rate: "" }])} className="rounded-md px-3 py-1.5 text-sm font-medium ring-1 ring-inset ring-slate-300 hover:bg-slate-50">
          Add tier
        </button>
        <button type="submit" disabled={save.isPending} className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          {save.isPending ? "Saving…" : "Save tiers"}
        </button>
      </div>
    </form>
  );
}

function Overrides({ offer }: { offer: Offer }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ affiliateId: "", rate: "" });
  const affiliates = useAffiliateChoices(form.affiliateId);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.rates.offers.queryKey() });
  const set = useMutation(
    trpc.rates.setOverride.mutationOptions({
      onSuccess: () => {
        setForm({ affiliateId: "", rate: "" });
        setErrors({});
        void refresh();
      },
      onError: (error) => setErrors(issuesByField(error)),
    }),
  );
  const remove = useMutation(trpc.rates.removeOverride.mutationOptions({ onSuccess: () => void refresh(), onError: (error) => setErrors({ _: error.message }) }));

  return (
    <div className="space-y-3">
      <h3 className="text-sm font-semibold text-slate-900">Per-affiliate overrides</h3>
      {offer.overrides.length === 0 ? (
        <p className="text-sm text-slate-500">No overrides: every affiliate is paid by the tiers and the offer&apos;s rate.</p>
      ) : (
        <div className="pt-5">
          <DataTable
            label="Overrides"
            rows={offer.overrides}
            rowKey={(o) => o.affiliate.id}
            columns={[
              { header: "Affiliate", cell: (o) => o.affiliate.name },
              { header: "Rate", cell: (o) => o.rate },
              {
                header: "",
                align: "right",
                cell: (o) => (
                  <ActionButton
                    label="Remove"
                    tone="red"
                    disabled={remove.isPending}
                    onClick={() => confirm(`Remove ${o.affiliate.name}'s override? They are paid by the tiers and the offer's rate again.`) && remove.mutate({ offerId: offer.id, affiliateId: o.affiliate.id })}
                  />
                ),
              },
            ]}
          />
        </div>
      )}
      <form
        aria-label="Set an override"
        className="grid gap-3 pt-5 sm:grid-cols-[1fr_1fr_1fr_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          if (!form.affiliateId) return setErrors({ affiliateId: "Pick an affiliate" });
          set.mutate({ offerId: offer.id, ...form });
        }}
      >
        <AffiliateSearch {...affiliates} />
        <LabeledInput label="Affiliate" error={errors.affiliateId}>
          <select value={form.affiliateId} onChange={(e) => setForm({ ...form, affiliateId: e.target.value })} className={inputClass}>
            <option value="">Choose…</option>
            {affiliates.choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </LabeledInput>
        <LabeledInput label="Override rate" error={errors.rate}>
          <input inputMode="decimal" value={form.rate} placeholder={rateHint(offer)} onChange={(e) => setForm({ ...form, rate: e.target.value })} className={inputClass} />
        </LabeledInput>
        <button type="submit" disabled={set.isPending} className="rounded-md bg-indigo-600 px-3 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50">
          {set.isPending ? "Saving…" : "Set override"}
        </button>
      </form>
      {errors._ && <FormMessage tone="error">{errors._}</FormMessage>}
    </div>
  );
}
