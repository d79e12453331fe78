import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { IdentitiesEditor } from "../_components/identities-editor";
import { BackToQueue } from "../_components/back-to-queue";

export const metadata = { title: "Affiliates' own IPs and customers · Affiliate platform" };

export default async function FraudIdentitiesPage({ searchParams }: { searchParams: Promise<{ q?: string | string[] }> }) {
  const q = (await searchParams).q;
  const search = (Array.isArray(q) ? q[0] : q)?.trim().slice(0, 100) || undefined;
  await prefetch(trpc.fraud.identities.queryOptions({ search }));
  return (
    <HydrateClient>
      <PageHeader
        title="Affiliates' own IPs and customers"
        description="A conversion or click from one of these IPs, or by one of these customers, is flagged as self-referral. Sign-in IPs are recorded at each affiliate sign-in (the last 10 public addresses); managers list the others. Changes apply on every server at once."
        actions={<BackToQueue />}
      />
      <IdentitiesEditor initialSearch={search ?? ""} />
    </HydrateClient>
  );
}
