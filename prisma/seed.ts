// Demo data. `npm run db:seed` seeds (idempotently skipping a non-empty database); `npm start` seeds an empty one.
// TODO(foundation): full demo program (2 merchants, 3 offers, 20 affiliates, ~10k clicks, 500 conversions).
import { db } from "../server/db";

export const DEMO_LOGINS = {
  password: "demo-password",
  emails: ["affiliate@demo.test", "manager@demo.test", "merchant@demo.test"],
} as const;

export async function seedIfEmpty(): Promise<boolean> {
  if ((await db.user.count()) > 0) return false;
  return false;
}
