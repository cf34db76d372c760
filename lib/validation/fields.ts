// Field rules, written once: the server actions, the browser-side mirror and the JSON API
// all import these. Messages are for a person reading them next to the field.
import { z } from 'zod';

// C0/C1 controls and bidi overrides: never meaningful in a name, and a tool for spoofing.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * Half of a UTF-16 surrogate pair, alone, is not a character: stored as UTF-8 it would come back
 * as replacement characters, and two different ones would hash alike in a password.
 */
export const wellFormed = (value: string) => value.isWellFormed();

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 30;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 50;
export const EMAIL_MAX = 254;
export const MIN_AGE = 13;

export const username = z
  .string({ error: 'Choose a username.' })
  .trim()
  .min(1, 'Choose a username.')
  .min(USERNAME_MIN, `Username must be at least ${USERNAME_MIN} characters.`)
  .max(USERNAME_MAX, `Username must be at most ${USERNAME_MAX} characters.`)
  .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'Username must start with a letter and use only letters and digits.');

export const email = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .min(1, 'Enter your email address.')
  .max(EMAIL_MAX, `Email must be at most ${EMAIL_MAX} characters.`)
  .pipe(z.email('Enter a valid email address, like name@example.com.'))
  .transform((value) => value.toLowerCase());

export function personName(label: string) {
  return z
    .string({ error: `Enter your ${label.toLowerCase()}.` })
    .transform((value) => value.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(1, `Enter your ${label.toLowerCase()}.`)
        .max(NAME_MAX, `${label} must be at most ${NAME_MAX} characters.`)
        .refine((value) => !UNPRINTABLE.test(value) && wellFormed(value), `${label} contains characters that can't be used.`),
    );
}

/** Whole years between a YYYY-MM-DD birthday and `today` (local calendar dates). */
export function ageOn(dateOfBirth: string, today: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  let age = today.getFullYear() - y;
  if (today.getMonth() + 1 < m || (today.getMonth() + 1 === m && today.getDate() < d)) age -= 1;
  return age;
}

function isCalendarDate(value: string): boolean {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export const dateOfBirth = z
  .string({ error: 'Enter your date of birth.' })
  .trim()
  .min(1, 'Enter your date of birth.')
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter your date of birth as YYYY-MM-DD.')
  .refine(isCalendarDate, 'That date does not exist.')
  .refine((value) => ageOn(value, new Date()) >= 0 && value < isoDate(new Date()), 'Date of birth must be in the past.')
  .refine((value) => ageOn(value, new Date()) >= MIN_AGE, `You must be at least ${MIN_AGE} years old.`)
  .refine((value) => ageOn(value, new Date()) <= 130, 'Enter your real date of birth.');

export function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Length in characters as a person counts them (code points), not UTF-16 units. */
export const charCount = (value: string) => Array.from(value).length;

/** A new password: length only. Common-password and context checks sit on top (lib/auth/password-policy.ts, passwordContextProblem below). */
export const newPassword = z
  .string({ error: 'Choose a password.' })
  .min(1, 'Choose a password.')
  .refine((value) => charCount(value) >= PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters.`)
  .refine((value) => charCount(value) <= PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters.`)
  .refine(wellFormed, 'Password contains characters that can’t be typed; choose another.');

/** A password must not be the person's own username, email or the email's local part. */
export function passwordContextProblem(password: string, username: string, email: string): string | null {
  const lower = password.normalize('NFKC').toLowerCase();
  const mail = email.trim().toLowerCase();
  if (lower === username.trim().toLowerCase() || lower === mail || lower === mail.split('@')[0]) {
    return 'Password must not be your username or email.';
  }
  return null;
}
