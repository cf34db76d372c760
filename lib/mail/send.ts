import 'server-only';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { env } from '@/lib/env';
import { isProduction } from '@/lib/env-edge';
import type { Mail } from './templates';

export type SendResult = { ok: true } | { ok: false; error: string };

/**
 * Sends through Resend when RESEND_API_KEY is set; otherwise writes the message as one JSON file
 * into MAIL_OUTBOX_DIR, so every flow works on a machine with no mail account. Never throws:
 * Resend resolves `{ error }` rather than throwing, and callers must know whether mail left.
 */
export async function sendMail(to: string, mail: Mail): Promise<SendResult> {
  const { RESEND_API_KEY, MAIL_FROM, MAIL_OUTBOX_DIR } = env();
  try {
    if (RESEND_API_KEY) {
      // Loaded only where mail goes through Resend, not in every process that writes an outbox.
      const { Resend } = await import('resend');
      const { error } = await new Resend(RESEND_API_KEY).emails.send({ from: MAIL_FROM, to: [to], ...mail });
      if (error) return fail(`Resend refused the message: ${error.name}: ${error.message}`);
      return { ok: true };
    }
    const sentAt = new Date();
    const dir = path.resolve(MAIL_OUTBOX_DIR);
    const file = path.join(dir, `${sentAt.getTime()}-${randomBytes(4).toString('hex')}.json`);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    // Written aside, then renamed: whoever reads the folder (the /dev/outbox page, a test) sees
    // whole messages only, never a file half written.
    await fs.writeFile(`${file}.tmp`, JSON.stringify({ to, from: MAIL_FROM, ...mail, sentAt: sentAt.toISOString() }, null, 2), { mode: 0o600 });
    await fs.rename(`${file}.tmp`, file);
    if (!isProduction()) console.log(`[mail] "${mail.subject}" to ${to} → ${file}`);
    return { ok: true };
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

function fail(error: string): SendResult {
  // The recipient and body stay out of the log: they hold codes and addresses.
  console.error(`[mail] sending failed: ${error}`);
  return { ok: false, error };
}
