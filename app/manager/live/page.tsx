import { PageHeader } from "~/components/ui/page";
import { LiveAttribution } from "./_components/live-attribution";

export const metadata = { title: "Live · Affiliate platform" };

export default function LivePage() {
  return (
    <>
      <PageHeader title="Live attribution" description="Conversions as they are attributed, with the touch path, the credit and the fraud decision; clicks and conversions per second over the last 15 minutes." />
      <LiveAttribution />
    </>
  );
}
