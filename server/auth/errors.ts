// Sign-in refusals other than wrong credentials, as next-auth reports them to the sign-in form (the message of the
// error authorize() throws). Plain data: the client form imports it.
export const ACCOUNT_SUSPENDED = "AccountSuspended";

/** Wrong email or password (deliberately not saying which: no account enumeration). */
export const WRONG_CREDENTIALS_MESSAGE =
  "Wrong email or password. A new account, or one whose access a manager reset, needs its password set first through the link you were sent.";

export const SIGN_IN_MESSAGES: Record<string, string> = {
  [ACCOUNT_SUSPENDED]: "This affiliate account is suspended. Contact the program's manager.",
};
