'use server';

import { redirect } from 'next/navigation';
import { secondStepExpired } from '@/lib/account/failure';
import { formAction } from '@/lib/actions';
import { forgetSecondStep, secondStepToken, signInBrowser } from '@/lib/auth/browser-session';
import { passSecondStep } from '@/lib/auth/sign-in';
import { loginUrl, safeNext } from '@/lib/routes';
import { secondStepSchema } from '@/lib/validation/auth';

/**
 * The second step in a browser: the challenge comes from this browser's cookie (never from the
 * form), so only the browser that passed the first step can finish it.
 */
export const completeSecondStep = formAction(secondStepSchema, undefined, async ({ code, next }) => {
  const token = await secondStepToken();
  const passed = token ? await passSecondStep(token, code) : secondStepExpired();
  if (!passed.ok && passed.kind === 'second_step_expired') {
    await forgetSecondStep();
    redirect(loginUrl(next, 'second-step'));
  }
  if (!passed.ok) return passed;
  await forgetSecondStep();
  await signInBrowser(passed.loggedIn.user, passed.loggedIn, true);
  const destination = safeNext(next);
  if (passed.used.kind === 'totp') redirect(destination);
  // A recovery code: the account page says how many are left.
  redirect(`/account/security?${new URLSearchParams({ recovery: String(passed.used.left) })}#two-step`);
});
