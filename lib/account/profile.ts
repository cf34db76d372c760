import 'server-only';
import { after } from 'next/server';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { CODE_TTL_MINUTES, INVALID_CODE, consumeCode, deliverCode } from '@/lib/auth/otp';
import { retireCodes } from '@/lib/db/queries/codes';
import { checkOwnPassword, currentPasswordProblem } from '@/lib/auth/reauth';
import { findLiveCode } from '@/lib/db/queries/codes';
import { TakenError, findUserByEmail, findUserForLogin, updateUser, type ProfileChanges, type PublicUser } from '@/lib/db/queries/users';
import { publicUrl } from '@/lib/env';
import { sendMail } from '@/lib/mail/send';
import { codeMail, emailChangedMail, emailInUseMail } from '@/lib/mail/templates';
import { currentClient } from '@/lib/security/client-ip';
import { TOO_MANY_ATTEMPTS, hit, waitText } from '@/lib/security/rate-limit';
import { PROFILE_FIELDS, type ProfileField } from '@/lib/validation/profile';

export const TAKEN_MESSAGES = {
  username: 'That username is already taken.',
  email: 'An account with this email already exists.',
} as const;

export type ProfileUpdate =
  /** `emailPending`: the new address a confirmation code went to; the email itself is unchanged. */
  | { ok: true; user: PublicUser; changed: ProfileField[]; emailPending?: string }
  | {
      ok: false;
      fieldErrors: Partial<Record<ProfileField | 'currentPassword', string>>;
      /** Set when a unique field is taken by someone else. */
      taken?: 'username' | 'email';
      /** Set when the email code can't be sent yet (the send limit), or too many usernames were tried. */
      retryAfterSeconds?: number;
      /** Set when the email code could not be sent at all. */
      notSent?: true;
      conflict?: never;
    }
  | { ok: false; conflict: true; fieldErrors?: never };

/**
 * Applies validated profile changes for the signed-in person (partial or full: the caller passes
 * what it validated). All or nothing: a taken username, or a wrong password for an email change,
 * changes nothing. `expectedUpdatedAt` makes a full replace refuse to overwrite a profile that
 * changed since the form was loaded (another tab). A new email doesn't change at once: a code goes
 * to the new address, and `confirmEmailChange` makes the switch. Whether a username is taken is an
 * answer about someone else, so username changes are limited per account and per client.
 */
export async function updateProfile(
  current: PublicUser,
  changes: ProfileChanges,
  options: { currentPassword?: string; expectedUpdatedAt?: Date } = {},
): Promise<ProfileUpdate> {
  const changed = PROFILE_FIELDS.filter((field) => changes[field] !== undefined && changes[field] !== current[field]);
  if (changed.length === 0) return { ok: true, user: current, changed };

  if (changed.includes('email')) {
    if (!options.currentPassword) {
      return { ok: false, fieldErrors: { currentPassword: 'Enter your current password to change your email.' } };
    }
    const check = await checkOwnPassword(current.id, options.currentPassword);
    if (!check.ok) {
      return { ok: false, fieldErrors: { currentPassword: currentPasswordProblem(check) }, retryAfterSeconds: check.retryAfterSeconds };
    }
  }
  if (changed.includes('username')) {
    const wait = Math.max(await hit('TAKEN_ACCOUNT', `user:${current.id}`), await hit('TAKEN_IP', (await currentClient()).limitKey));
    if (wait > 0) return { ok: false, fieldErrors: { username: `Too many username changes. Try again in ${waitText(wait)}.` }, retryAfterSeconds: wait };
  }

  const direct = changed.filter((field) => field !== 'email');
  const stale = options.expectedUpdatedAt !== undefined && options.expectedUpdatedAt.getTime() !== current.updatedAt.getTime();
  if (stale) return { ok: false, conflict: true };

  if (changed.includes('email')) {
    // The code goes out before anything is written, so a failed send leaves the profile as it was.
    const taken = direct.includes('username') ? findUserForLogin(changes.username!) : undefined;
    if (taken && taken.id !== current.id) return { ok: false, taken: 'username', fieldErrors: { username: TAKEN_MESSAGES.username } };
    const sent = await sendEmailChangeCode(current, changes.email!);
    if (!sent.ok) {
      const { message, ok: _, ...why } = sent;
      return { ok: false, fieldErrors: { email: message }, ...why };
    }
  }

  const update = Object.fromEntries(direct.map((field) => [field, changes[field]])) as ProfileChanges;
  let user: PublicUser | null = current;
  if (direct.length > 0) {
    try {
      user = updateUser(current.id, update, new Date(), options.expectedUpdatedAt);
    } catch (error) {
      if (!(error instanceof TakenError)) throw error;
      retireCodes({ purpose: 'email_change', userId: current.id }, new Date());
      return { ok: false, taken: error.field, fieldErrors: { [error.field]: TAKEN_MESSAGES[error.field] } };
    }
  }
  if (!user) {
    retireCodes({ purpose: 'email_change', userId: current.id }, new Date());
    return { ok: false, conflict: true };
  }

  if (changed.includes('username')) await recordSecurityEvent(user.id, 'username_changed');
  if (direct.some((field) => field !== 'username')) await recordSecurityEvent(user.id, 'profile_updated');
  if (!changed.includes('email')) return { ok: true, user, changed };
  return { ok: true, user, changed: direct, emailPending: changes.email! };
}

/**
 * Sends (or re-sends) the code that confirms a new address; at most one a minute, five an hour.
 * An address that already has an account gets, instead of a code, a notice that someone tried to
 * move an account to it, and the caller hears exactly what a free address gets (a code is stored
 * all the same, that nobody knows): the profile form must not tell who is registered. The unique
 * index still decides at confirmation.
 */
export async function sendEmailChangeCode(
  user: PublicUser,
  newEmail: string,
): Promise<{ ok: true } | { ok: false; message: string; retryAfterSeconds: number } | { ok: false; message: string; notSent: true }> {
  const owner = findUserByEmail(newEmail);
  const delivery = await deliverCode({ purpose: 'email_change', userId: user.id, email: newEmail }, (code) =>
    owner && owner.id !== user.id ? emailInUseMail(publicUrl('/forgot-password')) : codeMail('email_change', code, CODE_TTL_MINUTES, publicUrl('/account/profile')),
  );
  if ('retryAfterSeconds' in delivery) {
    const wait = waitText(delivery.retryAfterSeconds);
    return { ok: false, message: `A code was sent a moment ago. You can ask for another in ${wait}.`, retryAfterSeconds: delivery.retryAfterSeconds };
  }
  if (!delivery.ok) {
    return { ok: false, message: 'We couldn’t send a code to that address just now. Please try again in a few minutes.', notSent: true };
  }
  await recordSecurityEvent(user.id, 'email_change_requested');
  return { ok: true };
}

/** The new address waiting for its code, if any. */
export function pendingEmailChange(userId: number): string | null {
  return findLiveCode({ purpose: 'email_change', userId }, new Date())?.email ?? null;
}

export type EmailConfirmation = { ok: true; user: PublicUser } | { ok: false; message: string; taken?: true; retryAfterSeconds?: number };

/** Switches to the new address once its code is entered; the old address gets a notice. */
export async function confirmEmailChange(current: PublicUser, code: string): Promise<EmailConfirmation> {
  const wait = await hit('CODE_IP', (await currentClient()).limitKey);
  if (wait > 0) return { ok: false, message: TOO_MANY_ATTEMPTS(wait), retryAfterSeconds: wait };
  const confirmed = await consumeCode({ purpose: 'email_change', userId: current.id }, code.trim());
  if (!confirmed) return { ok: false, message: INVALID_CODE };
  let user: PublicUser | null;
  try {
    user = updateUser(current.id, { email: confirmed.email }, new Date());
  } catch (error) {
    if (error instanceof TakenError) return { ok: false, taken: true, message: 'Another account took that address in the meantime.' };
    throw error;
  }
  if (!user) return { ok: false, message: 'Your account no longer exists.' };
  // Reset codes mailed to the old address must not outlive it.
  retireCodes({ purpose: 'password_reset', userId: user.id }, new Date());
  await recordSecurityEvent(user.id, 'email_changed');
  const oldEmail = current.email;
  after(async () => {
    await sendMail(oldEmail, await emailChangedMail(confirmed.email));
  });
  return { ok: true, user };
}
