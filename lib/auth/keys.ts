// One key per purpose, derived from AUTH_SECRET with HKDF-SHA-256 (RFC 5869): the session JWT, the
// one-time-code HMAC, refresh-token hashes and device cookies never share key material, so a
// weakness or a leak in one use can't be turned against another. Edge-safe (Web Crypto); Node code
// derives the same bytes synchronously in keys-node.ts.
import { authSecrets } from '@/lib/env-edge';

export type KeyPurpose =
  | 'session-jwt'
  | 'otp'
  | 'refresh-token'
  | 'device-cookie'
  | 'pending-signup'
  | 'totp-secret'
  | 'recovery-code'
  | 'login-challenge'
  | 'webauthn-user'
  | 'provider-sign-in'
  | 'authjs';

const encoder = new TextEncoder();

/** RFC 5869's `info`: names the purpose, and a version to change keys without a new secret. */
export const keyInfo = (purpose: KeyPurpose) => encoder.encode(`gatehouse/${purpose}/v1`);

/** The key for `purpose` from every accepted secret, the signing one first. */
export const deriveKeys = (purpose: KeyPurpose) => Promise.all(authSecrets().map((secret) => deriveKey(secret, purpose)));

/** The 32-byte key for `purpose` from one secret. */
export async function deriveKey(secret: string, purpose: KeyPurpose): Promise<Uint8Array<ArrayBuffer>> {
  const base = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: keyInfo(purpose) }, base, 256);
  return new Uint8Array(bits);
}
