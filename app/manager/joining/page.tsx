import { PageHeader } from "~/components/ui/page";
import { Joining } from "./_components/joining";

export const metadata = { title: "Joining · Affiliate platform" };

export default function ManagerJoiningPage() {
  return (
    <>
      <PageHeader
        title="Joining"
        description="Applications from the public /join page, invitations, and affiliates' requests for links. Approving an application or inviting someone creates the affiliate account and a one-time link for them to set their password; every decision is audited."
      />
      <Joining />
    </>
  );
}
