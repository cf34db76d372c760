import 'server-only';
import { hkdfSync } from 'node:crypto';
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
