import 'server-only';
import { Secret, TOTP } from 'otpauth';
import { seal, unseal } from './sealed';

// An authenticator app's codes (RFC 6238): SHA-1, 6 digits, 30-second steps, what every app
// supports. otpauth computes and checks them (a well-kept implementation of RFC 4226/6238, with
// the key URI format apps scan); what Gatehouse adds is that a code is accepted once (the step
// is stored, see acceptTotpStep) and that the secret is stored sealed.

const ISSUER = 'Gatehouse';
const PERIOD_SECONDS = 30;
/** Steps either side of now that are accepted: a phone's clock a little off still works. */
const DRIFT_STEPS = 1;
const SIX_DIGITS = /^\d{6}$/;

/** The secret as stored: sealed, bound to its account (a row copied to another account won't open). */
export const sealTotpSecret = (userId: number, base32: string) => seal('totp-secret', `totp/v1|${userId}`, base32);
const openTotpSecret = (userId: number, sealed: string) => unseal('totp-secret', `totp/v1|${userId}`, sealed);

/** 160 random bits, as RFC 4226 recommends, in base32 (what apps take typed in). */
export const newTotpSecret = (): string => new Secret({ size: 20 }).base32;

const totpFor = (base32: string, label = '') =>
  new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(base32) });

/** The `otpauth://` URI an app scans (the QR code) or opens. */
export const totpUri = (base32: string, accountName: string): string => totpFor(base32, accountName).toString();

/** The key in groups of four, for a person typing it in. */
export const groupedKey = (base32: string): string => base32.replace(/(.{4})(?=.)/g, '$1 ');

/** Whether `code` looks like an authenticator code (recovery codes don't). */
export const isTotpCode = (code: string): boolean => SIX_DIGITS.test(code.replace(/\s/g, ''));

/**
 * The step of `code` for the sealed secret at `now`, within the drift window; null when it is no
 * current code. Whether the step is still unused is the caller's write (acceptTotpStep).
 */
export function totpStep(userId: number, sealed: string, code: string, now = Date.now()): number | null {
  const base32 = openTotpSecret(userId, sealed);
  const token = code.replace(/\s/g, '');
  if (!base32 || !SIX_DIGITS.test(token)) return null;
  const delta = totpFor(base32).validate({ token, timestamp: now, window: DRIFT_STEPS });
  return delta === null ? null : TOTP.counter({ period: PERIOD_SECONDS, timestamp: now }) + delta;
}

/** The base32 key of a sealed secret, to show again while a setup is unconfirmed. */
export const revealTotpSecret = (userId: number, sealed: string): string | null => openTotpSecret(userId, sealed);
