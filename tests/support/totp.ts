// What an authenticator app does with the key a person typed in: the code for a moment. Tests
// read the key from the page or the API, as a person would, and compute codes from it.
import { Secret, TOTP } from 'otpauth';

/** The 6-digit code for `key` (base32, spaces allowed) at `at`, ms since the epoch. */
export function totpCode(key: string, at = Date.now()): string {
  return TOTP.generate({ secret: Secret.fromBase32(key.replace(/\s/g, '')), algorithm: 'SHA1', digits: 6, period: 30, timestamp: at });
}

/** The code of the next 30-second step: one the server hasn't seen yet, and still inside its drift window. */
export const nextTotpCode = (key: string, at = Date.now()) => totpCode(key, at + 30_000);
