import * as outbox from '../../support/outbox';
import { dataDir } from './shared-server';

// The outbox of a server (by default the shared server's): see tests/support/outbox.ts.

export { codeIn, type OutboxMail } from '../../support/outbox';
export const waitForMail = (to: string, count = 1, serverDataDir = dataDir()) => outbox.waitForMail(to, serverDataDir, count);
export const mailsUntil = (to: string, subject: string, serverDataDir = dataDir()) => outbox.mailsUntil(to, subject, serverDataDir);
