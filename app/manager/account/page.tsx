import { AccountSettings } from "~/components/accounts/account-settings";
import { PageHeader } from "~/components/ui/page";
import { requireRole } from "~/server/auth/session";

export const metadata = { title: "Account · Affiliate platform" };

export default async function ManagerAccountPage() {
  const session = await requireRole("MANAGER");
  return (
    <>
      <PageHeader title="Account" description="Your password and where you signed in from." />
      <AccountSettings email={session.user.email} />
    </>
  );
}
