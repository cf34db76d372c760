'use server';

import { redirect } from 'next/navigation';
import { formAction } from '@/lib/actions';
import { VERIFICATION_CODE_SENT, requestVerificationCode, verifyEmailWithCode } from '@/lib/account/verification';
import { continueSignIn } from '@/lib/auth/browser-session';
import { forgetPendingSignup, pendingSignup } from '@/lib/auth/pending-signup';
import { signIn } from '@/lib/auth/sign-in';
import { isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import { deleteUnverifiedUser } from '@/lib/db/queries/users';
import { unavailableUrl } from '@/lib/unavailable';
import { forgotPasswordSchema, verifyEmailSchema } from '@/lib/validation/auth';

/** The code from the mail: the address is verified and the person signed in, as after a reset by code. */
export const verifyEmail = formAction(verifyEmailSchema, 'Your address is not verified yet.', async ({ email, code }) => {
  const result = await verifyEmailWithCode(email, code);
  if (!result.ok) return result;
  await forgetPendingSignup();
  const signedIn = await signIn(result.user, { remember: false, method: 'email_code' });
  if (!signedIn.ok) redirect('/login');
  return continueSignIn(signedIn, '/account?welcome=1');
});

/** "Send a new code": one neutral answer, shown in place. */
export const resendVerification = formAction(forgotPasswordSchema, 'Enter your email address first.', async ({ email }) => {
  await requestVerificationCode(email);
  return { status: 'success', message: VERIFICATION_CODE_SENT };
});

/**
 * "Wrong address? Start over": the account this browser just signed up for (its pending cookie
 * says which) is deleted while it is still unverified, freeing its username, and the person goes
 * back to the sign-up form. A browser without that cookie only goes back.
 */
export async function startOver(): Promise<void> {
  const pending = await pendingSignup();
  try {
    if (pending?.userId) await deleteUnverifiedUser(pending.userId, pending.email);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    logUnavailable('action', error);
    redirect(unavailableUrl());
  }
  await forgetPendingSignup();
  redirect('/register');
}
