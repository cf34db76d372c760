import 'server-only';
import { after } from 'next/server';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { CODE_TTL_MINUTES, consumeCode, discardCode, issueCode, RESEND_AFTER_SECONDS } from '@/lib/auth/otp';
import { verifyPassword } from '@/lib/auth/password';
import { findLiveCode } from '@/lib/db/queries/codes';
import { TakenError, findUserByEmail, getPasswordHash, updateUser, type ProfileChanges, type PublicUser } from '@/lib/db/queries/users';
import { sendMail } from '@/lib/mail/send';
import { codeMail, emailChangedMail } from '@/lib/mail/templates';
import { PROFILE_FIELDS, type ProfileField } from '@/lib/validation/profile';

export const TAKEN_MESSAGES = {
  username: 'That username is already taken.',
  email: 'An account with this email already exists.',
} as const;

export type ProfileUpdate =
  /** `emailPending`: the new address a confirmation code went to; the email itself is unchanged. */
  | { ok: true; user: PublicUser; changed: ProfileField[]; emailPending?: string }
  | { ok: false; fieldErrors: Partial<Record<ProfileField | 'currentPassword', string>>; conflict?: never }
  | { ok: false; conflict: true; fieldErrors?: never };

/**
 * Applies validated profile changes for the signed-in person (partial or full: the caller passes
 * what it validated). All or nothing: a taken username or email, or a wrong password for an email
 * change, changes nothing. `expectedUpdatedAt` makes a full replace refuse to overwrite a profile
 * that changed since the form was loaded (another tab). A new email doesn't change at once: a code
 * goes to the new address, and `confirmEmailChange` makes the switch.
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
    const hash = getPasswordHash(current.id);
    if (!hash || !(await verifyPassword(options.currentPassword, hash))) {
      return { ok: false, fieldErrors: { currentPassword: 'That is not your current password.' } };
    }
    if (findUserByEmail(changes.email!)) return { ok: false, fieldErrors: { email: TAKEN_MESSAGES.email } };
  }

  const direct = changed.filter((field) => field !== 'email');
  const update = Object.fromEntries(direct.map((field) => [field, changes[field]])) as ProfileChanges;
  let user: PublicUser | null = current;
  if (direct.length > 0) {
    try {
      user = updateUser(current.id, update, new Date(), options.expectedUpdatedAt);
    } catch (error) {
      if (error instanceof TakenError) return { ok: false, fieldErrors: { [error.field]: TAKEN_MESSAGES[error.field] } };
      throw error;
    }
  } else if (options.expectedUpdatedAt && options.expectedUpdatedAt.getTime() !== current.updatedAt.getTime()) {
    user = null;
  }
  if (!user) return { ok: false, conflict: true };

  if (changed.includes('username')) await recordSecurityEvent(user.id, 'username_changed');
  if (direct.some((field) => field !== 'username')) await recordSecurityEvent(user.id, 'profile_updated');
  if (!changed.includes('email')) return { ok: true, user, changed };

  const sent = await sendEmailChangeCode(user, changes.email!);
  if (!sent.ok) return { ok: false, fieldErrors: { email: sent.message } };
  return { ok: true, user, changed: direct, emailPending: changes.email! };
}

/** Sends (or re-sends) the code that confirms a new address; at most one a minute. */
export async function sendEmailChangeCode(user: PublicUser, newEmail: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const issued = issueCode({ purpose: 'email_change', userId: user.id, email: newEmail });
  if ('limited' in issued) {
    return { ok: false, message: `A code was sent a moment ago. Wait ${RESEND_AFTER_SECONDS} seconds before asking for another.` };
  }
  const sent = await sendMail(newEmail, await codeMail('email_change', issued.code, CODE_TTL_MINUTES));
  if (!sent.ok) {
    discardCode(issued.id);
    return { ok: false, message: 'We couldn’t send a code to that address just now. Please try again in a few minutes.' };
  }
  await recordSecurityEvent(user.id, 'email_change_requested');
  return { ok: true };
}

/** The new address waiting for its code, if any. */
export function pendingEmailChange(userId: number): string | null {
  return findLiveCode({ purpose: 'email_change', userId }, new Date())?.email ?? null;
}

export type EmailConfirmation = { ok: true; user: PublicUser } | { ok: false; message: string };

/** Switches to the new address once its code is entered; the old address gets a notice. */
export async function confirmEmailChange(current: PublicUser, code: string): Promise<EmailConfirmation> {
  const confirmed = consumeCode({ purpose: 'email_change', userId: current.id }, code.trim());
  if (!confirmed) return { ok: false, message: 'That code is invalid or has expired. Check it, or send a new code.' };
  let user: PublicUser | null;
  try {
    user = updateUser(current.id, { email: confirmed.email }, new Date());
  } catch (error) {
    if (error instanceof TakenError) return { ok: false, message: 'Another account took that address in the meantime.' };
    throw error;
  }
  if (!user) return { ok: false, message: 'Your account no longer exists.' };
  await recordSecurityEvent(user.id, 'email_changed');
  const oldEmail = current.email;
  after(async () => {
    await sendMail(oldEmail, await emailChangedMail(confirmed.email));
  });
  return { ok: true, user };
}
