'use server';

import { redirect } from 'next/navigation';
import { hashingAction } from '@/lib/actions';
import { CODE_SENT, requestPasswordReset, resetPassword } from '@/lib/account/recovery';
import { signInBrowser } from '@/lib/auth/browser-session';
import { startSessionForClient } from '@/lib/auth/login';
import { INVALID_CODE } from '@/lib/auth/otp';
import { formFields, type FormState } from '@/lib/forms';
import { fieldErrors, forgotPasswordSchema, resetPasswordSchema } from '@/lib/validation/auth';

export async function forgotPassword(_: FormState<'email'>, formData: FormData): Promise<FormState<'email'>> {
  const raw = formFields(formData, ['email'] as const);
  const parsed = forgotPasswordSchema.safeParse(raw);
  if (!parsed.success) return { status: 'error', fieldErrors: fieldErrors(parsed.error), values: { email: raw.email.slice(0, 254) } };
  await requestPasswordReset(parsed.data.email);
  redirect(`/reset-password?${new URLSearchParams({ email: parsed.data.email, sent: '1' })}`);
}

/** "Send a new code" on the reset page: the same neutral answer, shown in place. */
export async function resendResetCode(_: FormState, formData: FormData): Promise<FormState> {
  const parsed = forgotPasswordSchema.safeParse(formFields(formData, ['email'] as const));
  if (!parsed.success) return { status: 'error', message: 'Enter your email address above first.' };
  await requestPasswordReset(parsed.data.email);
  return { status: 'success', message: CODE_SENT };
}

type ResetField = 'email' | 'code' | 'newPassword' | 'confirmPassword';

export const resetPasswordWithCode = hashingAction(async (_: FormState<ResetField>, formData: FormData): Promise<FormState<ResetField>> => {
  const raw = formFields(formData, ['email', 'code', 'newPassword', 'confirmPassword'] as const);
  const values = { email: raw.email.slice(0, 254), code: raw.code.slice(0, 32) };
  const parsed = resetPasswordSchema.safeParse(raw);
  if (!parsed.success) {
    return { status: 'error', message: 'Your password was not changed.', fieldErrors: fieldErrors(parsed.error), values };
  }
  const result = await resetPassword(parsed.data);
  if (!result.ok) {
    const message = result.retryAfterSeconds ? result.fieldErrors.code : result.fieldErrors.code ? INVALID_CODE : 'Your password was not changed.';
    return { status: 'error', message, fieldErrors: result.fieldErrors, values };
  }
  // Every old session is gone; this browser starts a fresh one, while the new password stands.
  const started = await startSessionForClient(result.user.id, { remember: false, passwordHash: result.passwordHash });
  if (!started) redirect('/login');
  await signInBrowser(result.user, started);
  redirect('/account?reset=1');
});
