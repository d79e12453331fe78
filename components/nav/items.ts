// The navigation of each role: one array per role, one line per page. Add your page's line to its role's array.
import type { RoleName } from "~/server/auth/roles";

export interface NavItem {
  href: string;
  label: string;
}

const AFFILIATE: NavItem[] = [
  { href: "/affiliate", label: "Earnings" },
  { href: "/affiliate/links", label: "Links" },
  { href: "/affiliate/offers", label: "Offers" },
  { href: "/affiliate/conversions", label: "Conversions" },
  { href: "/affiliate/payouts", label: "Payouts" },
  { href: "/affiliate/account", label: "Account" },
];

const MANAGER: NavItem[] = [
  { href: "/manager", label: "Overview" },
  { href: "/manager/live", label: "Live" },
  { href: "/manager/affiliates", label: "Affiliates" },
  { href: "/manager/offers", label: "Offers" },
  { href: "/manager/joining", label: "Joining" },
  { href: "/manager/accounts", label: "Accounts" },
  { href: "/manager/links", label: "Links" },
  { href: "/manager/conversions", label: "Conversions" },
  { href: "/manager/rates", label: "Rates" },
  { href: "/manager/payouts", label: "Payouts" },
  { href: "/manager/fraud", label: "Fraud" },
  { href: "/manager/operations", label: "Operations" },
  { href: "/manager/settings", label: "Settings" },
  { href: "/manager/account", label: "Account" },
];

const MERCHANT: NavItem[] = [
  { href: "/merchant", label: "Offers" },
  { href: "/merchant/postbacks", label: "Postbacks" },
  { href: "/merchant/webhooks", label: "Webhooks" },
  { href: "/merchant/account", label: "Account" },
];

export const NAV: Record<RoleName, NavItem[]> = { AFFILIATE, MANAGER, MERCHANT };
