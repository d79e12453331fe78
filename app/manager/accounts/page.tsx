import { PageHeader } from "~/components/ui/page";
import { Accounts } from "./_components/accounts";

export const metadata = { title: "Accounts · Affiliate platform" };

export default function ManagerAccountsPage() {
  return (
    <>
      <PageHeader
        title="Accounts"
        description="Create merchants (with their first user) and further managers; reset an affiliate's or merchant's access. Each gets a one-time link to set their password; a reset also ends their sessions and stops their old password."
      />
      <Accounts />
    </>
  );
}
