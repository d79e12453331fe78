import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { WebhookEndpoints } from "./_components/webhook-endpoints";

export const metadata = { title: "Webhooks · Affiliate platform" };

export default async function MerchantWebhooksPage() {
  await prefetch(trpc.webhooks.endpoints.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Webhooks"
        description="We POST conversions, commissions and fraud flags to your endpoints as they happen, signed per Standard Webhooks, retried for about a day."
      />
      <WebhookEndpoints />
    </HydrateClient>
  );
}
