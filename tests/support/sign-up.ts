// Registering as a new person does under the default EMAIL_VERIFICATION=required: the sign-up,
// the code from the outbox, the verification that signs them in. Shared by the in-process tests
// and the ones against a server, through whichever `call` reaches the app.
import { expect } from 'vitest';
import type { ApiOptions, ApiResult } from './api';
import { registration, type Person } from './generators';
import { codeIn, mailTo, waitForMails } from './outbox';

type Call = (method: string, path: string, options?: ApiOptions) => Promise<ApiResult>;

export const VERIFICATION_SUBJECT = 'Verify your email address for Gatehouse';

/** How many verification codes were mailed to `email` so far. */
export const verificationMails = (email: string, dataDir: string) => mailTo(email, dataDir).filter((m) => m.subject === VERIFICATION_SUBJECT).length;

/** The newest verification code mailed to `email`, once there are `count` (mail goes after the answer). */
export async function verificationCode(email: string, dataDir: string, count = 1): Promise<string> {
  const mails = await waitForMails(email, dataDir, (all) => all.filter((m) => m.subject === VERIFICATION_SUBJECT).length >= count);
  return codeIn(mails.filter((m) => m.subject === VERIFICATION_SUBJECT).at(-1)!);
}

/**
 * Registers `person` and, where the server requires it (a 202), verifies their address; a token
 * for a first session, and the user.
 */
export async function signUp(call: Call, person: Person, dataDir: string): Promise<{ token: string; user: any }> {
  // An address used before (by a deleted account) has older codes in the outbox: wait for a new one.
  const before = verificationMails(person.email, dataDir);
  const registered = await call('POST', '/auth/register', { body: registration(person) });
  if (registered.status === 201) {
    const login = await call('POST', '/auth/token', { body: { login: person.username, password: person.password } });
    expect(login.status, login.text).toBe(200);
    return { token: login.body.access_token, user: login.body.user };
  }
  expect(registered.status, registered.text).toBe(202);
  const verified = await call('POST', '/auth/email/verify', { body: { email: person.email, code: await verificationCode(person.email, dataDir, before + 1) } });
  expect(verified.status, verified.text).toBe(200);
  return { token: verified.body.access_token, user: verified.body.user };
}
