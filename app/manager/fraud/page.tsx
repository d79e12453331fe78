import Link from "next/link";
import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { DecisionHistory } from "./_components/decision-history";
import { FraudQueue } from "./_components/fraud-queue";

export const metadata = { title: "Fraud review · Affiliate platform" };

const LINK = "rounded-md px-3 py-1.5 text-sm font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50";

export default async function FraudReviewPage() {
  await prefetch(trpc.fraud.queue.queryOptions(), trpc.fraud.history.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Fraud review"
        description="Conversions the fraud checks held or sent to review, grouped by affiliate, with the evidence and the traffic behind each flag. Release pays the commission; reverse cancels it. Affiliates see the reason of every hold."
        actions={
          <div className="flex gap-2">
            <Link href="/manager/fraud/identities" className={LINK}>
              Affiliates&apos; own IPs
            </Link>
            <Link href="/manager/fraud/rules" className={LINK}>
              Rules &amp; block list
            </Link>
          </div>
        }
      />
      <div className="space-y-6">
        <FraudQueue />
        <DecisionHistory />
      </div>
    </HydrateClient>
  );
}
