'use server';

import { redirect } from 'next/navigation';
import { formAction } from '@/lib/actions';
import { CODE_SENT, requestPasswordReset, resetPassword } from '@/lib/account/recovery';
import { continueSignIn } from '@/lib/auth/browser-session';
import { signIn } from '@/lib/auth/sign-in';
import { forgotPasswordSchema, resetPasswordSchema } from '@/lib/validation/auth';

export const forgotPassword = formAction(forgotPasswordSchema, undefined, async ({ email }) => {
  await requestPasswordReset(email);
  redirect(`/reset-password?${new URLSearchParams({ email, sent: '1' })}`);
});

/** "Send a new code" on the reset page: the same neutral answer, shown in place. */
export const resendResetCode = formAction(forgotPasswordSchema, 'Enter your email address above first.', async ({ email }) => {
  await requestPasswordReset(email);
  return { status: 'success', message: CODE_SENT };
});

export const resetPasswordWithCode = formAction(resetPasswordSchema, 'Your password was not changed.', async (data) => {
  const result = await resetPassword(data);
  if (!result.ok) return result;
  // Every old session is gone; this browser starts a fresh one, while the new password stands
  // (with two-step verification on, once the second step passes: a mailbox alone isn't enough).
  const signedIn = await signIn(result.user, { remember: false, method: 'email_code', passwordHash: result.passwordHash });
  if (!signedIn.ok) redirect('/login');
  return continueSignIn(signedIn, '/account?reset=1');
});
