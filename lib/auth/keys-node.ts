import 'server-only';
import { createHmac, hkdfSync } from 'node:crypto';
import { authSecrets, secretsFingerprint } from '@/lib/env-edge';
import { keyInfo, type KeyPurpose } from './keys';

// The same HKDF as keys.ts, synchronous: one-time codes, refresh tokens and device cookies are
// checked inside synchronous database steps. A unit test holds the two to the same bytes.

const cache = new Map<KeyPurpose, { fingerprint: string; keys: Buffer[] }>();

/** The key for `purpose` from every accepted secret, the signing one first. */
export function purposeKeys(purpose: KeyPurpose): Buffer[] {
  const fingerprint = secretsFingerprint();
  let entry = cache.get(purpose);
  if (entry?.fingerprint !== fingerprint) {
    const keys = authSecrets().map((secret) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), keyInfo(purpose), 32)));
    entry = { fingerprint, keys };
    cache.set(purpose, entry);
  }
  return entry.keys;
}

/** The key that signs new values for `purpose`. */
export const purposeKey = (purpose: KeyPurpose): Buffer => purposeKeys(purpose)[0]!;

/**
 * HMAC-SHA-256 of `message` under `purpose`'s key from every accepted secret, the signing one
 * first: what a stored MAC of a long-lived token may be, after a rotation of AUTH_SECRET too.
 */
export const purposeMacs = (purpose: KeyPurpose, message: string): string[] =>
  purposeKeys(purpose).map((key) => createHmac('sha256', key).update(message).digest('base64url'));
