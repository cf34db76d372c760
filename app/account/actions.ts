'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { hashingAction } from '@/lib/actions';
import { deleteAccount as deleteAccountRecord } from '@/lib/account/delete';
import { changePassword as changePasswordRecord } from '@/lib/account/password';
import { confirmEmailChange, pendingEmailChange, sendEmailChangeCode, updateProfile } from '@/lib/account/profile';
import { signOutOtherSessions, signOutSession } from '@/lib/account/sessions';
import { requireSession } from '@/lib/auth/dal';
import { clearSessionCookies, followRotatedSession } from '@/lib/auth/browser-session';
import { rotateSession } from '@/lib/auth/session';
import { formFields, type FormState } from '@/lib/forms';
import { loginUrl } from '@/lib/routes';
import { TOO_MANY_ATTEMPTS } from '@/lib/security/rate-limit';
import { fieldErrors } from '@/lib/validation/auth';
import {
  PROFILE_FIELDS,
  PROFILE_LABELS,
  changePasswordSchema,
  deleteAccountSchema,
  partialProfileSchema,
  profileSchema,
  type ProfileField,
} from '@/lib/validation/profile';

// Every action derives the person from their session (re-checked against the database, so a
// revoked session can do nothing) and never from a form field.

type ProfileFormField = ProfileField | 'currentPassword';

function describeChanges(changed: ProfileField[]): string {
  if (changed.length === 0) return 'Nothing changed: every field already had that value.';
  const names = changed.map((field) => PROFILE_LABELS[field]);
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  return `Saved. Updated your ${list}.`;
}

async function saveProfile(
  formData: FormData,
  mode: 'partial' | 'full',
): Promise<FormState<ProfileFormField | 'version'>> {
  const { user, sessionId } = await requireSession('/account/profile');
  const raw = formFields(formData, [...PROFILE_FIELDS, 'currentPassword', 'version'] as const);
  const { currentPassword, version, ...values } = raw;
  const fail = (errors: Partial<Record<ProfileFormField, string>>, message = 'Nothing was changed. Please correct the highlighted fields.') =>
    ({ status: 'error', message, fieldErrors: errors, values: { ...values, version } }) as const;

  const parsed = (mode === 'full' ? profileSchema : partialProfileSchema).safeParse(values);
  if (!parsed.success) return fail(fieldErrors(parsed.error));

  const expectedUpdatedAt = mode === 'full' && /^\d{1,15}$/.test(version) ? new Date(Number(version)) : undefined;
  const result = await updateProfile(user, parsed.data, { currentPassword, expectedUpdatedAt });
  if (!result.ok) {
    if (result.conflict) {
      revalidatePath('/account/profile');
      return {
        status: 'error',
        message: 'Your profile was changed somewhere else (another tab?) since this page loaded. Nothing was saved: the form now shows the current values; review them and save again.',
      };
    }
    return fail(result.fieldErrors);
  }

  if (result.changed.includes('username')) {
    // The old token names the old username: the session moves to a new id and this browser follows.
    const rotated = rotateSession(sessionId);
    if (rotated) await followRotatedSession(result.user, rotated);
  }
  revalidatePath('/', 'layout');
  const pending = result.emailPending
    ? `We sent a code to ${result.emailPending}: enter it under “Confirm your new email” to finish the change.`
    : null;
  const message = pending && result.changed.length === 0 ? pending : [describeChanges(result.changed), pending].filter(Boolean).join(' ');
  return { status: 'success', message };
}

export const updateProfilePartially = hashingAction(async (_: FormState, formData: FormData) => saveProfile(formData, 'partial'));

export const replaceProfile = hashingAction(async (_: FormState, formData: FormData) => saveProfile(formData, 'full'));

type PasswordField = 'currentPassword' | 'newPassword' | 'confirmPassword';

export const changePassword = hashingAction(async (_: FormState<PasswordField>, formData: FormData): Promise<FormState<PasswordField>> => {
  const { user, sessionId } = await requireSession('/account/security');
  const parsed = changePasswordSchema.safeParse(formFields(formData, ['currentPassword', 'newPassword', 'confirmPassword'] as const));
  if (!parsed.success) {
    return { status: 'error', message: 'Your password was not changed.', fieldErrors: fieldErrors(parsed.error) };
  }
  const result = await changePasswordRecord(user, sessionId, parsed.data);
  if (!result.ok && result.sessionEnded) {
    await clearSessionCookies();
    redirect(loginUrl('/account/security', 'ended'));
  }
  if (!result.ok) return { status: 'error', message: 'Your password was not changed.', fieldErrors: result.fieldErrors };
  // This session moved to a new id with the new password: a copy of the old cookie is worth nothing.
  await followRotatedSession(user, result.session);
  revalidatePath('/account/security');
  const others =
    result.revoked === 0
      ? 'You had no other sessions'
      : `${result.revoked} other session${result.revoked === 1 ? ' was' : 's were'} signed out`;
  return { status: 'success', message: `Your password was changed. ${others}; this one stays signed in.` };
});

export async function revokeSession(_: FormState, formData: FormData): Promise<FormState> {
  const { user, sessionId } = await requireSession('/account/security');
  const target = formData.get('sessionId');
  if (typeof target !== 'string' || target === sessionId) {
    return { status: 'error', message: 'To sign out of this device, use “Log out” at the top of the page.' };
  }
  const revoked = await signOutSession(user.id, target);
  revalidatePath('/account/security');
  return revoked
    ? { status: 'success', message: 'That session was signed out.' }
    : { status: 'error', message: 'That session had already ended.' };
}

export async function revokeOtherSessions(_: FormState, _formData: FormData): Promise<FormState> {
  const { user, sessionId } = await requireSession('/account/security');
  const count = await signOutOtherSessions(user.id, sessionId);
  revalidatePath('/account/security');
  return {
    status: 'success',
    message: count === 0 ? 'There were no other sessions.' : `Signed out of ${count} other session${count === 1 ? '' : 's'}.`,
  };
}

type DeleteField = 'password' | 'confirm';

export const deleteAccount = hashingAction(async (_: FormState<DeleteField>, formData: FormData): Promise<FormState<DeleteField>> => {
  const { user } = await requireSession('/account/security');
  const parsed = deleteAccountSchema.safeParse(formFields(formData, ['password', 'confirm'] as const));
  if (!parsed.success) {
    return { status: 'error', message: 'Your account was not deleted.', fieldErrors: fieldErrors(parsed.error) };
  }
  const deleted = await deleteAccountRecord(user, parsed.data.password);
  if (!deleted.ok) {
    const message = deleted.retryAfterSeconds ? TOO_MANY_ATTEMPTS(deleted.retryAfterSeconds) : 'That is not your password.';
    return { status: 'error', message: 'Your account was not deleted.', fieldErrors: { password: message } };
  }
  await clearSessionCookies();
  redirect('/goodbye');
});

export async function confirmEmail(_: FormState<'code'>, formData: FormData): Promise<FormState<'code'>> {
  const { user } = await requireSession('/account/profile');
  const code = formFields(formData, ['code'] as const).code;
  const result = await confirmEmailChange(user, code);
  if (!result.ok) return { status: 'error', message: result.message, fieldErrors: { code: result.message } };
  // The confirmation section disappears with the pending change, so the news goes on the page.
  redirect('/account/profile?email=confirmed');
}

export async function resendEmailCode(_: FormState, _formData: FormData): Promise<FormState> {
  const { user } = await requireSession('/account/profile');
  const pending = pendingEmailChange(user.id);
  if (!pending) return { status: 'error', message: 'There is no email change waiting. Change your email in the form above.' };
  const sent = await sendEmailChangeCode(user, pending);
  return sent.ok ? { status: 'success', message: `We sent a new code to ${pending}.` } : { status: 'error', message: sent.message };
}
