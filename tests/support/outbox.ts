import fs from 'node:fs';
import path from 'node:path';

// The local outbox (`MAIL_OUTBOX_DIR`, `<dataDir>/outbox` in the tests): one JSON file per message.

export type OutboxMail = { to: string; from: string; subject: string; text: string; html: string; sentAt: string };

// A message's file is complete when it appears (written aside, then renamed) and never changes, so
// each is read once: a run's outbox grows to thousands of messages, and the waits below look every
// 25 ms.
const read = new Map<string, OutboxMail>();

/** Every message the app with this data folder wrote to its outbox for `to`, oldest first. */
export function mailTo(to: string, dataDir: string): OutboxMail[] {
  const dir = path.join(dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  const mails: OutboxMail[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    let mail = read.get(file);
    if (!mail) read.set(file, (mail = JSON.parse(fs.readFileSync(file, 'utf8')) as OutboxMail));
    if (mail.to === to) mails.push(mail);
  }
  return mails.sort((a, b) => a.sentAt.localeCompare(b.sentAt));
}

/**
 * Waits (up to 10 s: a server sends mail after its answer) until `until` holds for the messages to
 * `to`, and returns them.
 */
export async function waitForMails(to: string, dataDir: string, until: (mails: OutboxMail[]) => boolean): Promise<OutboxMail[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const mails = mailTo(to, dataDir);
    if (until(mails)) return mails;
    if (Date.now() > deadline) throw new Error(`the mail to ${to} did not arrive within 10 s (have: ${JSON.stringify(mails.map((m) => m.subject))})`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The n-th message to `to`. */
export async function waitForMail(to: string, dataDir: string, count = 1): Promise<OutboxMail> {
  return (await waitForMails(to, dataDir, (mails) => mails.length >= count))[count - 1]!;
}

/**
 * Every message to `to` once one with `subject` has arrived: a later marker, after which a test
 * can say what was not sent before it (never after a fixed sleep).
 */
export const mailsUntil = (to: string, subject: string, dataDir: string) => waitForMails(to, dataDir, (mails) => mails.some((m) => m.subject === subject));

export function codeIn(mail: OutboxMail): string {
  const code = mail.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in mail "${mail.subject}"`);
  return code;
}
