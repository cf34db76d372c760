import { TOO_MANY_ATTEMPTS } from '@/lib/security/rate-limit';

// What can go wrong in a use-case, said one way for every caller: lib/actions.ts turns a failure
// into a form's state, lib/api/errors.ts into the API's error (status, code, Retry-After). The
// sentence a person reads is decided here or in the use-case that fails — once, so a form and an
// API client read the same words.

export type FieldErrors = Record<string, string>;

export type Failure = { ok: false; message: string; fields?: FieldErrors } & (
  | { kind: 'invalid' }
  | { kind: 'bad_credentials' }
  | { kind: 'taken'; field: 'username' | 'email' }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'conflict' }
  | { kind: 'session_ended' }
  | { kind: 'email_unverified'; userId: number; email: string }
  | { kind: 'second_step_expired' }
  | { kind: 'reauthentication_required' }
  | { kind: 'unavailable'; reason: 'mail' | 'busy' | 'database'; retryAfterSeconds: number }
);

/** A use-case's answer: what it produced, or why not. */
export type Outcome<T extends object = object> = ({ ok: true } & T) | Failure;

export const invalid = (fields: FieldErrors, message = 'Some fields are invalid.'): Failure => ({ ok: false, kind: 'invalid', message, fields });

/** One field's problem, which is also the whole answer's message. */
export const invalidField = (field: string, message: string): Failure => invalid({ [field]: message }, message);

export const badCredentials = (): Failure => ({ ok: false, kind: 'bad_credentials', message: 'That email or username and password don’t match an account.' });

const TAKEN_MESSAGES = {
  username: 'That username is already taken.',
  email: 'An account with this email already exists. Log in instead?',
} as const;

export const taken = (field: 'username' | 'email'): Failure => ({ ok: false, kind: 'taken', field, message: TAKEN_MESSAGES[field], fields: { [field]: TAKEN_MESSAGES[field] } });

/** Over a limit; `field` when the form shows it next to one field (a password field, say). */
export function rateLimited(retryAfterSeconds: number, options: { message?: string; field?: string } = {}): Failure {
  const message = options.message ?? TOO_MANY_ATTEMPTS(retryAfterSeconds);
  return { ok: false, kind: 'rate_limited', retryAfterSeconds, message, ...(options.field ? { fields: { [options.field]: message } } : {}) };
}

/** The account's state says no: by default, it changed since the form was loaded. */
export const conflict = (
  message = 'Your profile was changed somewhere else (another tab?) since it was loaded. Nothing was saved: review the current values and save again.',
): Failure => ({ ok: false, kind: 'conflict', message });

export const sessionEnded = (): Failure => ({ ok: false, kind: 'session_ended', message: 'This session has ended. Log in again.' });

/** The right password for an account whose address isn't verified yet (`required` mode): a code is on its way. */
export const emailUnverified = (user: { id: number; email: string }): Failure => ({
  ok: false,
  kind: 'email_unverified',
  userId: user.id,
  email: user.email,
  message: 'Verify your email address to log in: we sent a code to it.',
});

/** A wrong, used or out-of-date code from the authenticator app, or an unknown recovery code. */
export const wrongSecondFactor = (field = 'code'): Failure =>
  invalidField(field, 'That code didn’t work. Enter the current code from your authenticator app, or an unused recovery code.');

/** The first step of a sign-in is out of time, used, or out of tries: start the login again. */
export const secondStepExpired = (): Failure => ({
  ok: false,
  kind: 'second_step_expired',
  message: 'This sign-in has expired. Log in again.',
});

/** A sensitive change from a session whose last authentication is not recent (lib/auth/step-up.ts). */
export const reauthenticationRequired = (): Failure => ({
  ok: false,
  kind: 'reauthentication_required',
  message: 'Confirm it’s you first: enter your password or a code from your authenticator app.',
});

export const mailUnavailable = (field?: string): Failure => {
  const message = 'We couldn’t send a code to that address just now. Please try again in a few minutes.';
  return { ok: false, kind: 'unavailable', reason: 'mail', retryAfterSeconds: 60, message, ...(field ? { fields: { [field]: message } } : {}) };
};

export const busy = (retryAfterSeconds: number): Failure => ({
  ok: false,
  kind: 'unavailable',
  reason: 'busy',
  retryAfterSeconds,
  message: 'The server is busy right now, and nothing was changed. Please try again in a few seconds.',
});

/**
 * The database is out of reach (down, restarting, not answering in time). Whether a change that
 * was under way got saved can't be known, so this doesn't say "nothing was changed".
 */
export const databaseUnavailable = (): Extract<Failure, { kind: 'unavailable' }> => ({
  ok: false,
  kind: 'unavailable',
  reason: 'database',
  retryAfterSeconds: 10,
  message: 'Gatehouse is temporarily unavailable. Please try again in a moment.',
});
