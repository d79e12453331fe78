// Every role's Account page (/affiliate/account, /manager/account, /merchant/account): the same content.
import { PageHeader } from "~/components/ui/page";
import type { RoleName } from "~/server/auth/roles";
import { requireRole } from "~/server/auth/session";
import { AccountSettings } from "./account-settings";

export const accountMetadata = { title: "Account · Affiliate platform" };

export async function AccountPage({ role }: { role: RoleName }) {
  const session = await requireRole(role);
  return (
    <>
      <PageHeader title="Account" description="Your password and where you signed in from." />
      <AccountSettings email={session.user.email} />
    </>
  );
}
