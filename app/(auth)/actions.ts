'use server';

import { redirect } from 'next/navigation';
import { formAction } from '@/lib/actions';
import { createAccount } from '@/lib/account/register';
import { verificationMode, verifyEmailPath } from '@/lib/account/verification';
import { rememberPendingSignup } from '@/lib/auth/pending-signup';
import { continueSignIn, signOutCurrentSession } from '@/lib/auth/browser-session';
import { logIn } from '@/lib/auth/login';
import { signIn } from '@/lib/auth/sign-in';
import { isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import { loginUrl, safeNext } from '@/lib/routes';
import { unavailableUrl } from '@/lib/unavailable';
import { loginSchema, registerSchema } from '@/lib/validation/auth';

export const register = formAction(registerSchema, 'Please correct the highlighted fields.', async (data) => {
  const { password, confirmPassword: _confirm, ...profile } = data;
  const created = await createAccount(profile, password);
  if (!created.ok) return created;
  if (verificationMode() === 'required') {
    // The same cookie and page whether the address was new or already had an account.
    await rememberPendingSignup({ userId: created.user?.id ?? null, email: profile.email });
    redirect(verifyEmailPath(profile.email));
  }
  // Only `required` mode answers a registered address without an account.
  // A new account has no second factor yet.
  const signedIn = await signIn(created.user!, { remember: false, method: 'new_account', twoStep: false });
  // The account exists; only the automatic sign-in failed. Send them to log in normally.
  if (!signedIn.ok) redirect('/login');
  return continueSignIn(signedIn, '/account?welcome=1');
});

export const login = formAction(loginSchema, 'Please fill in both fields.', async (data) => {
  const attempt = await logIn(data);
  if (!attempt.ok && attempt.kind === 'email_unverified') {
    await rememberPendingSignup({ userId: attempt.userId, email: attempt.email });
    redirect(`${verifyEmailPath(attempt.email)}&reason=unverified`);
  }
  if (!attempt.ok) return attempt;
  return continueSignIn(attempt, safeNext(data.next), true);
});

export async function logout(): Promise<void> {
  try {
    await signOutCurrentSession();
  } catch (error) {
    // The session could not be ended: say so, rather than drop the cookie and look logged out.
    if (!isDatabaseUnavailable(error)) throw error;
    logUnavailable('action', error);
    redirect(unavailableUrl());
  }
  redirect(loginUrl(undefined, 'signed-out'));
}
