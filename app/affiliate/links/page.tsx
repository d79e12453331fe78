import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { MyLinks } from "./_components/my-links";

export const metadata = { title: "Links · Affiliate platform" };

export default async function AffiliateLinksPage() {
  await prefetch(trpc.links.mine.queryOptions());
  return (
    <HydrateClient>
      <PageHeader title="Your tracking links" description="Share these URLs. Clicks over the last 30 days; bots and HEAD requests are redirected but not billable." />
      <MyLinks />
    </HydrateClient>
  );
}
