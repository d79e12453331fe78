// The demo users the seed creates (development data only). Kept apart from the seed so the sign-in page can show
// them without importing the database.
export const DEMO_LOGINS = {
  password: "demo-password",
  emails: ["affiliate@demo.test", "coupons@demo.test", "manager@demo.test", "merchant@demo.test"],
} as const;
