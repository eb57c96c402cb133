import "server-only";
import nodemailer from "nodemailer";
import { getEnv } from "@/lib/env";

// Enclave's outgoing mail, through the SMTP server SMTP_URL names (from
// MAIL_FROM). Without SMTP_URL nothing is sent and callers show what they
// would have sent (an invite link to copy). A failure is answered, not thrown:
// the caller says what happened and the thing mailed (an invite) stays valid.

export type Mail = { to: string; subject: string; text: string };
export type MailOutcome = { sent: true } | { sent: false; reason: string };

export function mailConfigured(): boolean {
  return getEnv().SMTP_URL !== undefined;
}

export async function sendMail(mail: Mail): Promise<MailOutcome> {
  const { SMTP_URL, MAIL_FROM } = getEnv();
  if (!SMTP_URL || !MAIL_FROM) return { sent: false, reason: "no SMTP server is configured (SMTP_URL)" };
  const transport = nodemailer.createTransport(SMTP_URL, { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
  try {
    await transport.sendMail({ from: MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text });
    return { sent: true };
  } catch (err) {
    // The server's words, without the URL (it may hold a password).
    return { sent: false, reason: (err instanceof Error ? err.message : String(err)).replaceAll(SMTP_URL, "SMTP_URL").slice(0, 300) };
  } finally {
    transport.close();
  }
}
