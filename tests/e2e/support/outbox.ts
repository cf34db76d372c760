import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { inject } from 'vitest';

export type OutboxMail = { to: string; from: string; subject: string; text: string; html: string; sentAt: string };

/** Every message the server (by default the shared test server) wrote to its outbox for `to`, oldest first. */
export function mailTo(to: string, dataDir: string = inject('dataDir')): OutboxMail[] {
  const dir = path.join(dataDir, 'outbox');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as OutboxMail)
    .filter((m) => m.to === to)
    .sort((a, b) => a.sentAt.localeCompare(b.sentAt));
}

/** Waits for the n-th message to `to` (mail leaves after the response) and returns it. */
export async function waitForMail(to: string, count = 1, dataDir: string = inject('dataDir')): Promise<OutboxMail> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const mails = mailTo(to, dataDir);
    if (mails.length >= count) return mails[count - 1]!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail #${count} to ${to} within 10 s (have ${mailTo(to, dataDir).length})`);
}

export function codeIn(mail: OutboxMail): string {
  const code = mail.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in mail "${mail.subject}"`);
  return code;
}

/** Opens the server's database (WAL allows a second connection) to age records, as time would. */
export function serverDb(): Database.Database {
  return new Database(path.join(inject('dataDir'), 'app.db'));
}
