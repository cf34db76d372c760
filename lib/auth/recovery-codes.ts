import 'server-only';
import { randomInt } from 'node:crypto';
import { purposeMacs } from './keys-node';

// Recovery codes: the way in when the authenticator app is lost. Ten, each 12 characters of
// Crockford's base32 (60 bits from a CSPRNG), shown once as xxxx-xxxx-xxxx. Stored only as an
// HMAC under a key of their own: a copy of the database alone tells nothing, and 60 random bits
// behind a secret key can't be searched for. A code is used once (deleted as it is accepted).

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const LENGTH = 12;
const NORMALISED = /^[0-9a-hjkmnp-tv-z]{12}$/;

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** As typed (any case, spaces or dashes, i/l for 1 and o for 0) → the 12 characters, or null. */
export function normaliseRecoveryCode(typed: string): string | null {
  const code = typed
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/[il]/g, '1')
    .replace(/o/g, '0');
  return NORMALISED.test(code) ? code : null;
}

/** What may be stored for this code (one MAC per accepted AUTH_SECRET, the current one first). */
export const recoveryCodeHashes = (userId: number, normalised: string): string[] => purposeMacs('recovery-code', `recovery/v1|${userId}|${normalised}`);
