'use server';

import { redirect } from 'next/navigation';
import { verifyEmailPath } from '@/lib/account/verification';
import { ceremony, type CeremonyAnswer } from '@/lib/actions';
import { forgetSecondStep, signInBrowser } from '@/lib/auth/browser-session';
import { assertionOptions, passkeySignIn } from '@/lib/auth/passkeys';
import { rememberPendingSignup } from '@/lib/auth/pending-signup';
import { startSessionForClient } from '@/lib/auth/sign-in';
import { safeNext } from '@/lib/routes';
import { authenticationResponse } from '@/lib/validation/passkeys';

// "Sign in with a passkey" on /login (the button, and the login field's autofill). Called from
// script: the browser's WebAuthn API sits between the two halves.

export async function passkeySignInOptions(): Promise<CeremonyAnswer> {
  return ceremony(() => assertionOptions('sign_in', null));
}

/** The authenticator's answer: a session, then `next` (a redirect); or why not. */
export async function signInWithPasskey(response: unknown, remember: unknown, next: unknown): Promise<CeremonyAnswer> {
  let destination: string | null = null;
  const answer = await ceremony(async () => {
    const parsed = authenticationResponse.safeParse(response);
    if (!parsed.success) return { ok: false, message: 'That passkey didn’t work. Try again, or use your password.' };
    const signedIn = await passkeySignIn(parsed.data);
    if (!signedIn.ok && signedIn.kind === 'email_unverified') {
      await rememberPendingSignup({ userId: signedIn.userId, email: signedIn.email });
      destination = `${verifyEmailPath(signedIn.email)}&reason=unverified`;
      return { ok: true };
    }
    if (!signedIn.ok) return signedIn;
    // A passkey is a whole sign-in: possession of the device and its user verification.
    const started = await startSessionForClient(signedIn.user.id, { remember: remember === true, method: 'passkey' });
    if (!started) return { ok: false, message: 'That passkey didn’t work. Try again, or use your password.' };
    await signInBrowser(signedIn.user, started, true);
    // From the second step's page too: that half-done sign-in is moot now.
    await forgetSecondStep();
    destination = safeNext(next);
    return { ok: true };
  });
  if (destination) redirect(destination);
  return answer;
}
