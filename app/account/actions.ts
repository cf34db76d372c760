'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { sessionFormAction } from '@/lib/actions';
import { deleteAccount as deleteAccountRecord } from '@/lib/account/delete';
import { confirmEmailChange, pendingEmailChange, sendEmailChangeCode } from '@/lib/account/email-change';
import { changePassword as changePasswordRecord } from '@/lib/account/password';
import { updateProfile } from '@/lib/account/profile';
import { signOutOtherSessions, signOutSession } from '@/lib/account/sessions';
import { resendOwnVerificationCode, verifyEmailWithCode } from '@/lib/account/verification';
import { clearSessionCookies, followRotatedSession } from '@/lib/auth/browser-session';
import { rotateSession } from '@/lib/auth/session';
import type { FormState } from '@/lib/forms';
import {
  PROFILE_LABELS,
  changePasswordSchema,
  deleteAccountSchema,
  partialProfileSchema,
  profileSchema,
  type ProfileField,
} from '@/lib/validation/profile';
import { ownCodeSchema } from '@/lib/validation/auth';

// Every action derives the person from their session (re-checked against the database, so a
// revoked session can do nothing) and never from a form field (lib/actions.ts).

function describeChanges(changed: ProfileField[]): string {
  if (changed.length === 0) return 'Nothing changed: every field already had that value.';
  const names = changed.map((field) => PROFILE_LABELS[field]);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `Saved. Updated your ${list}.`;
}

/** Beyond the profile fields, the forms post the current password (for an email change) and the version they were loaded at. */
const profileForm = { currentPassword: z.string(), version: z.string() };

function saveProfile(schema: typeof partialProfileSchema | typeof profileSchema, mode: 'partial' | 'full') {
  return sessionFormAction('/account/profile', schema.extend(profileForm), 'Nothing was changed. Please correct the highlighted fields.', async (data, { user, sessionId }) => {
    const { currentPassword, version, ...changes } = data;
    const expectedUpdatedAt = mode === 'full' && /^\d{1,15}$/.test(version) ? new Date(Number(version)) : undefined;
    const result = await updateProfile(user, changes, { currentPassword, expectedUpdatedAt, session: { user, sessionId } });
    if (!result.ok && result.kind === 'conflict') {
      // The page reloads with the current values; what was typed is not put back over them.
      revalidatePath('/account/profile');
      return { status: 'error', message: result.message };
    }
    if (!result.ok) return result;

    if (result.changed.includes('username')) {
      // The old token names the old username: the session moves to a new id and this browser follows.
      const rotated = await rotateSession(sessionId);
      if (rotated) await followRotatedSession(result.user, rotated);
    }
    revalidatePath('/', 'layout');
    const pending = result.emailPending ? `We sent a code to ${result.emailPending}: enter it under “Confirm your new email” to finish the change.` : null;
    const message = pending && result.changed.length === 0 ? pending : [describeChanges(result.changed), pending].filter(Boolean).join(' ');
    return { status: 'success', message };
  });
}

export const updateProfilePartially = saveProfile(partialProfileSchema, 'partial');

export const replaceProfile = saveProfile(profileSchema, 'full');

export const changePassword = sessionFormAction('/account/security', changePasswordSchema, 'Your password was not changed.', async (data, { user, sessionId }) => {
  const result = await changePasswordRecord(user, sessionId, data);
  if (!result.ok) return result;
  // This session moved to a new id with the new password: a copy of the old cookie is worth nothing.
  await followRotatedSession(user, result.session);
  revalidatePath('/account/security');
  const others =
    result.revoked === 0 ? 'You had no other sessions' : `${result.revoked} other session${result.revoked === 1 ? ' was' : 's were'} signed out`;
  return { status: 'success', message: `Your password was changed. ${others}; this one stays signed in.` };
});

export const revokeSession = sessionFormAction('/account/security', z.object({ sessionId: z.string() }), undefined, async ({ sessionId: target }, { user, sessionId }): Promise<FormState> => {
  if (target === sessionId) return { status: 'error', message: 'To sign out of this device, use “Log out” at the top of the page.' };
  const revoked = await signOutSession(user.id, target);
  revalidatePath('/account/security');
  return revoked ? { status: 'success', message: 'That session was signed out.' } : { status: 'error', message: 'That session had already ended.' };
});

export const revokeOtherSessions = sessionFormAction('/account/security', z.object({}), undefined, async (_, { user, sessionId }) => {
  const count = await signOutOtherSessions(user.id, sessionId);
  revalidatePath('/account/security');
  return { status: 'success', message: count === 0 ? 'There were no other sessions.' : `Signed out of ${count} other session${count === 1 ? '' : 's'}.` };
});

export const deleteAccount = sessionFormAction('/account/security', deleteAccountSchema, 'Your account was not deleted.', async ({ password }, session) => {
  const { user } = session;
  const deleted = await deleteAccountRecord(user, { password: password || undefined, session });
  if (!deleted.ok) return deleted;
  await clearSessionCookies();
  redirect('/goodbye');
});

export const confirmEmail = sessionFormAction('/account/profile', z.object({ code: z.string() }), undefined, async ({ code }, { user }) => {
  const result = await confirmEmailChange(user, code);
  // One sentence for the code, above and beside the field.
  if (!result.ok) return { status: 'error', message: result.message, fieldErrors: { code: result.message } };
  // The confirmation section disappears with the pending change, so the news goes on the page.
  redirect('/account/profile?email=confirmed');
});

export const resendEmailCode = sessionFormAction('/account/profile', z.object({}), undefined, async (_, { user }) => {
  const pending = await pendingEmailChange(user.id);
  if (!pending) return { status: 'error', message: 'There is no email change waiting. Change your email in the form above.' };
  const sent = await sendEmailChangeCode(user, pending);
  return sent.ok ? { status: 'success', message: `We sent a new code to ${pending}.` } : { status: 'error', message: sent.message };
});

/** The banner on /account (`optional` mode): the code sent to the person's own address. */
export const verifyOwnEmail = sessionFormAction('/account', ownCodeSchema, undefined, async ({ code }, { user }) => {
  const result = await verifyEmailWithCode(user.email, code);
  if (!result.ok) return { status: 'error', message: result.message, fieldErrors: { code: result.message } };
  redirect('/account?verified=1');
});

export const resendOwnVerification = sessionFormAction('/account', z.object({}), undefined, async (_, { user }) => {
  const sent = await resendOwnVerificationCode(user);
  return sent.ok ? { status: 'success', message: `We sent a new code to ${user.email}.` } : { status: 'error', message: sent.message };
});
