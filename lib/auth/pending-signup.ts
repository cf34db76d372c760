import 'server-only';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { requestCookie, responseCookies } from '@/lib/request-scope';
import { PENDING_SIGNUP_MAX_AGE_SECONDS, pendingSignupCookieName, setPendingSignupCookie } from './cookies';
import { purposeKey, purposeKeys } from './keys-node';

// The browser that signed up (or logged in with the right password before verifying) holds, for a
// day, which unverified account it proved: so "Wrong address? Start over" can delete that account
// and free its username. A sign-up with an already registered address gets the same cookie naming
// no account. It is encrypted (AES-256-GCM) and the account id has a fixed width, so the two
// cookies look alike: the answer to a sign-up must not tell whether the address was registered.

export type PendingSignup = { userId: number | null; email: string };

const VERSION = 'pending/v1';
const ID_WIDTH = 15;

function seal(pending: PendingSignup, expires: number): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', purposeKey('pending-signup'), iv);
  const plain = `${String(pending.userId ?? 0).padStart(ID_WIDTH, '0')}|${expires}|${pending.email}`;
  cipher.setAAD(Buffer.from(VERSION));
  const sealed = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return sealed.toString('base64url');
}

function open(value: string, nowSeconds: number): PendingSignup | null {
  const sealed = Buffer.from(value, 'base64url');
  if (sealed.length < 12 + 16 + ID_WIDTH) return null;
  for (const key of purposeKeys('pending-signup')) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      decipher.setAAD(Buffer.from(VERSION));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const plain = Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString('utf8');
      const [id, expires, ...email] = plain.split('|');
      if (Number(expires) <= nowSeconds) return null;
      return { userId: Number(id) || null, email: email.join('|') };
    } catch {
      // Not sealed with this key: try the previous secret's.
    }
  }
  return null;
}

/** After a sign-up in `required` mode, or a right password for an unverified account. */
export async function rememberPendingSignup(pending: PendingSignup, now = Date.now()): Promise<void> {
  const expires = Math.floor(now / 1000) + PENDING_SIGNUP_MAX_AGE_SECONDS;
  setPendingSignupCookie(await responseCookies(), seal(pending, expires));
}

/** What this browser's cookie says, when it is ours and current. */
export async function pendingSignup(now = Date.now()): Promise<PendingSignup | null> {
  const value = await requestCookie(pendingSignupCookieName());
  return value ? open(value, Math.floor(now / 1000)) : null;
}

export async function forgetPendingSignup(): Promise<void> {
  setPendingSignupCookie(await responseCookies(), null);
}
