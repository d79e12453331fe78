import { AccountPage, accountMetadata } from "~/components/accounts/account-page";

export const metadata = accountMetadata;

export default function Page() {
  return <AccountPage role="MANAGER" />;
}
