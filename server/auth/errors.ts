// Sign-in refusals other than wrong credentials, as next-auth reports them to the sign-in form (the message of the
// error authorize() throws). Plain data: the client form imports it.
export const ACCOUNT_SUSPENDED = "AccountSuspended";

export const SIGN_IN_MESSAGES: Record<string, string> = {
  [ACCOUNT_SUSPENDED]: "This affiliate account is suspended. Contact the program's manager.",
};
