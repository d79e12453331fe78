// How one-time links reach people. There is no mail server here, so by default nothing is sent: the link is shown
// to the manager who made it (they send it themselves), and in development it is also written to the log. Set
// SMTP_URL (smtp://user:pass@host:587, smtps://… for TLS) and MAIL_FROM to send mail through nodemailer instead.
// Tests and other transports plug in with setMailer().
import { errorLine, logLine } from "../log";
import { env } from "../env";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** "log" / "none" / "smtp": what the manager is told ("sent by email" only for a real transport). */
  readonly kind: string;
  send(mail: Mail): Promise<void>;
}

/** Development: the mail (with its link) goes to the server log. Never used in production. */
export const logMailer: Mailer = {
  kind: "log",
  async send(mail) {
    logLine(`[mail] to ${mail.to}: ${mail.subject}\n${mail.text}`);
  },
};

/** Production without SMTP: nothing is sent or logged (the link is a credential); the manager sends it. */
export const noMailer: Mailer = { kind: "none", async send() {} };

export function smtpMailer(url: string, from: string): Mailer {
  let transport: Promise<{ sendMail(m: { from: string; to: string; subject: string; text: string }): Promise<unknown> }> | undefined;
  return {
    kind: "smtp",
    async send(mail) {
      transport ??= import("nodemailer").then((m) => m.default.createTransport(url));
      await (await transport).sendMail({ from, ...mail });
    },
  };
}

let current: Mailer | undefined;

export function mailer(): Mailer {
  if (current) return current;
  const config = env();
  if (config.SMTP_URL) return (current = smtpMailer(config.SMTP_URL, config.MAIL_FROM));
  return (current = config.NODE_ENV === "production" ? noMailer : logMailer);
}

/** Tests (and other transports): replaces the mailer; `undefined` goes back to the configured one. */
export function setMailer(next: Mailer | undefined) {
  current = next;
}

/**
 * Sends a mail; a failure to send never fails what was done (the manager still has the link to send by hand).
 * Returns whether a real transport accepted it.
 */
export async function deliver(mail: Mail): Promise<boolean> {
  const m = mailer();
  try {
    await m.send(mail);
    return m.kind === "smtp";
  } catch (error) {
    errorLine(`[mail] not sent to ${mail.to}: ${(error as Error).message}`);
    return false;
  }
}
