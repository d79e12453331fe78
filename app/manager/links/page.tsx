import { HydrateClient, prefetch, trpc } from "~/components/trpc/server";
import { PageHeader } from "~/components/ui/page";
import { LinksManager } from "./_components/links-manager";

export const metadata = { title: "Links · Affiliate platform" };

export default async function ManagerLinksPage() {
  await prefetch(trpc.links.list.queryOptions({ page: 1 }), trpc.links.formOptions.queryOptions());
  return (
    <HydrateClient>
      <PageHeader
        title="Links"
        description="Tracking links of every affiliate. Changes reach every server within a second; disabled links answer 404 (or the program's fallback)."
      />
      <LinksManager />
    </HydrateClient>
  );
}
