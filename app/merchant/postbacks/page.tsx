import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PostbackLog } from "~/components/postbacks/postback-log";
import { PageHeader } from "~/components/ui/page";
import { PostbackSetup } from "./_components/postback-setup";

export const metadata = { title: "Postbacks · Affiliate platform" };

export default async function MerchantPostbacksPage() {
  await prefetch(trpc.postbacks.setup.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Postbacks"
        description="Your server tells us about each sale with one HTTP call. Every postback is answered with a reason and logged below; a rejection is never answered 200."
      />
      <div className="space-y-6">
        <PostbackSetup />
        <PostbackLog scope="merchant" />
      </div>
    </HydrateClient>
  );
}
