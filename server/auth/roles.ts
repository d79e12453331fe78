// Where each role lands. Plain data, safe to import from client components (the sign-in page).
export type RoleName = "AFFILIATE" | "MANAGER" | "MERCHANT";

export const ROLE_HOME: Record<RoleName, string> = {
  AFFILIATE: "/affiliate",
  MANAGER: "/manager",
  MERCHANT: "/merchant",
};

export const ROLE_LABEL: Record<RoleName, string> = {
  AFFILIATE: "Affiliate",
  MANAGER: "Program manager",
  MERCHANT: "Merchant",
};
