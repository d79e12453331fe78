import Link from "next/link";
import { notFound } from "next/navigation";
import { api } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { DeliveryLog } from "../_components/delivery-log";

export const metadata = { title: "Webhook deliveries · Affiliate platform" };

export default async function WebhookDeliveriesPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // Only this merchant's endpoints are listed: another merchant's id simply does not exist here.
  const endpoint = (await api.webhooks.endpoints()).find((e) => e.id === id);
  if (!endpoint) notFound();
  return (
    <>
      <PageHeader
        title="Delivery log"
        description={
          <>
            <Link href="/merchant/webhooks" className="text-indigo-600 hover:underline">
              ← Webhooks
            </Link>{" "}
            · <span className="break-all font-mono">{endpoint.url}</span>
          </>
        }
      />
      <DeliveryLog endpointId={endpoint.id} />
    </>
  );
}
