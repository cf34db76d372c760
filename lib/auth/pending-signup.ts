import 'server-only';
import { requestCookie, responseCookies } from '@/lib/request-scope';
import { PENDING_SIGNUP_MAX_AGE_SECONDS, pendingSignupCookieName, setPendingSignupCookie } from './cookies';
import { seal, unseal } from './sealed';

// The browser that signed up (or logged in with the right password before verifying) holds, for a
// day, which unverified account it proved: so "Wrong address? Start over" can delete that account
// and free its username. A sign-up with an already registered address gets the same cookie naming
// no account. It is encrypted (AES-256-GCM) and the account id has a fixed width, so the two
// cookies look alike: the answer to a sign-up must not tell whether the address was registered.

export type PendingSignup = { userId: number | null; email: string };

const VERSION = 'pending/v1';
const ID_WIDTH = 15;

function sealPending(pending: PendingSignup, expires: number): string {
  return seal('pending-signup', VERSION, `${String(pending.userId ?? 0).padStart(ID_WIDTH, '0')}|${expires}|${pending.email}`);
}

function open(value: string, nowSeconds: number): PendingSignup | null {
  const plain = unseal('pending-signup', VERSION, value);
  if (plain === null) return null;
  const [id, expires, ...email] = plain.split('|');
  if (Number(expires) <= nowSeconds) return null;
  return { userId: Number(id) || null, email: email.join('|') };
}

/** After a sign-up in `required` mode, or a right password for an unverified account. */
export async function rememberPendingSignup(pending: PendingSignup, now = Date.now()): Promise<void> {
  const expires = Math.floor(now / 1000) + PENDING_SIGNUP_MAX_AGE_SECONDS;
  setPendingSignupCookie(await responseCookies(), sealPending(pending, expires));
}

/** What this browser's cookie says, when it is ours and current. */
export async function pendingSignup(now = Date.now()): Promise<PendingSignup | null> {
  const value = await requestCookie(pendingSignupCookieName());
  return value ? open(value, Math.floor(now / 1000)) : null;
}

export async function forgetPendingSignup(): Promise<void> {
  setPendingSignupCookie(await responseCookies(), null);
}
