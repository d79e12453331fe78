// One offer: rate, tiers, terms and its last-30-day numbers. Used by the list and the detail page.
import Link from "next/link";
import { Badge } from "~/components/ui/page";
import { formatMoney, formatRate } from "~/server/money";
import type { RouterOutputs } from "~/server/api/types";

type Offer = RouterOutputs["merchant"]["offers"][number];

export function OfferCard({ offer, linked = true }: { offer: Offer; linked?: boolean }) {
  return (
    <article className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="offer-card">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 className="text-base font-semibold text-slate-900">
            {linked ? (
              <Link href={`/merchant/offers/${offer.id}`} className="hover:text-indigo-600">
                {offer.name}
              </Link>
            ) : (
              offer.name
            )}
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">{formatRate(offer)}</p>
        </div>
        <div className="flex gap-2">
          <Badge tone="blue">{offer.payoutModel === "CPA" ? "CPA" : "Revenue share"}</Badge>
          <Badge>{offer.currency}</Badge>
          {offer.archivedAt ? <Badge tone="red">Archived</Badge> : offer.active ? <Badge tone="green">Active</Badge> : <Badge>Paused</Badge>}
        </div>
      </div>
      <dl className="mt-4 grid grid-cols-2 gap-4 border-t border-slate-100 pt-4 text-sm sm:grid-cols-4">
        <Figure label="Clicks (30d)" value={offer.clicks30d.toLocaleString("en-US")} />
        <Figure label="Conversions (30d)" value={offer.conversions30d.toLocaleString("en-US")} />
        <Figure
          label="Commissions (30d)"
          value={offer.commissions30d.length ? offer.commissions30d.map((c) => formatMoney(c.amountMinor, c.currency)).join(" + ") : "—"}
        />
        <Figure label="Affiliate links" value={offer._count.links.toLocaleString("en-US")} />
      </dl>
      <div className="mt-4 flex flex-wrap gap-x-6 gap-y-1 text-xs text-slate-500">
        <span>Attribution window: {offer.attributionWindowDays} days</span>
        <span>Holding period: {offer.holdingPeriodDays} days</span>
        {offer.dailyCap !== null && <span>Daily cap: {offer.dailyCap} conversions</span>}
        {offer.monthlyCap !== null && <span>Monthly cap: {offer.monthlyCap} conversions</span>}
      </div>
      {offer.tiers.length > 0 && (
        <div className="mt-4 rounded-lg bg-slate-50 p-3">
          <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">Volume tiers (conversions this month)</p>
          <ul className="space-y-0.5 text-sm text-slate-700">
            {offer.tiers.map((t) => (
              <li key={t.minConversions}>
                {t.minConversions}+ → {formatRate({ payoutModel: offer.payoutModel, currency: offer.currency, cpaAmountMinor: t.cpaAmountMinor, revshareBps: t.revshareBps })}
              </li>
            ))}
          </ul>
        </div>
      )}
    </article>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="mt-0.5 font-semibold tabular-nums text-slate-900">{value}</dd>
    </div>
  );
}
