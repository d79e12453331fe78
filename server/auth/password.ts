// Password hashing with bcrypt (bcryptjs: pure JS, so no native build step on a fresh clone).
import bcrypt from "bcryptjs";

/** Cost 10 is bcrypt's common default: ~70 ms per hash here, slow for guessing, fine for a sign-in. */
const COST = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}
