import * as outbox from '../../support/outbox';
import { VERIFICATION_SUBJECT } from '../../support/sign-up';
import { dataDir } from './shared-server';

// The outbox of a server (by default the shared server's): see tests/support/outbox.ts.

export { codeIn, type OutboxMail } from '../../support/outbox';

/** The notice of a sign-in from a browser new to the account (lib/auth/new-device.ts). */
export const NEW_SIGN_IN_SUBJECT = 'New sign-in to your Gatehouse account';

const besidesVerification = (mails: outbox.OutboxMail[]) => mails.filter((m) => m.subject !== VERIFICATION_SUBJECT && m.subject !== NEW_SIGN_IN_SUBJECT);

/**
 * The n-th message to `to`, not counting verification codes (every account the helpers make got
 * one at sign-up; tests/e2e/verification.test.ts reads them) nor new-sign-in notices (each fresh
 * test browser's first login sends one; tests/e2e/two-step.test.ts reads them).
 */
export async function waitForMail(to: string, count = 1, serverDataDir = dataDir()): Promise<outbox.OutboxMail> {
  const mails = await outbox.waitForMails(to, serverDataDir, (all) => besidesVerification(all).length >= count);
  return besidesVerification(mails)[count - 1]!;
}

export const mailsUntil = (to: string, subject: string, serverDataDir = dataDir()) => outbox.mailsUntil(to, subject, serverDataDir);
