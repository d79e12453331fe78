// Sign-in refusals other than wrong credentials, as next-auth reports them to the sign-in form (the message of the
// error authorize() throws). Plain data: the client form imports it.
export const ACCOUNT_SUSPENDED = "AccountSuspended";

/** Refused by the sign-in limits (server/auth/throttle.ts): sent as "TooManyAttempts:<minutes>". */
export const TOO_MANY_ATTEMPTS = "TooManyAttempts";

/** Wrong email or password (deliberately not saying which: no account enumeration). */
export const WRONG_CREDENTIALS_MESSAGE =
  "Wrong email or password. A new account, or one whose access a manager reset, needs its password set first through the link you were sent.";

export const SIGN_IN_MESSAGES: Record<string, string> = {
  [ACCOUNT_SUSPENDED]: "This affiliate account is suspended. Contact the program's manager.",
};

/** The wait a sign-in error code states ("TooManyAttempts:15" → 15 minutes), or null for other codes. */
export function lockedMinutes(code: string | null | undefined): number | null {
  const match = new RegExp(`^${TOO_MANY_ATTEMPTS}:(\\d+)$`).exec(code ?? "");
  return match ? Number(match[1]) : null;
}

/** The sign-in form's text for an error code of next-auth's, or undefined for an unknown code. */
export function signInMessage(code: string | null | undefined): string | undefined {
  const minutes = lockedMinutes(code);
  if (minutes !== null) return `Too many failed sign-ins. Try again in ${minutes === 1 ? "1 minute" : `${minutes} minutes`}.`;
  return SIGN_IN_MESSAGES[code ?? ""];
}
