'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { confirmTotpSetup, disableTwoStep, regenerateRecoveryCodes, startTotpSetup } from '@/lib/account/two-step';
import { sessionFormAction } from '@/lib/actions';
import { confirmIdentity } from '@/lib/auth/step-up';
import { secondFactorField } from '@/lib/validation/auth';

// /account/security's two-step verification and "Confirm it's you" forms. Each use-case checks the
// recent authentication itself; the page only decides which form to show.

const PATH = '/account/security';

/** A password, or a code from the authenticator app (or a recovery code): whichever was filled in. */
export const confirmIdentityAction = sessionFormAction(
  PATH,
  z.object({ password: z.string().max(1024), code: z.string().max(32) }),
  'That didn’t confirm it’s you.',
  async ({ password, code }, session) => {
    const confirmed = await confirmIdentity(session, code ? { code } : { password });
    if (!confirmed.ok) return confirmed;
    revalidatePath(PATH);
    return { status: 'success', message: 'Thanks, that’s you. You can make changes for the next 10 minutes.' };
  },
);

export const startTotpSetupAction = sessionFormAction(PATH, z.object({}), undefined, async (_data, session) => {
  const started = await startTotpSetup(session);
  if (!started.ok) return started;
  revalidatePath(PATH);
  return { status: 'success', message: 'Scan the QR code with your authenticator app, then enter the code it shows.' };
});

export const confirmTotpSetupAction = sessionFormAction(PATH, z.object({ code: secondFactorField }), 'Two-step verification is not on yet.', async ({ code }, session) => {
  const confirmed = await confirmTotpSetup(session, code);
  if (!confirmed.ok) return confirmed;
  revalidatePath(PATH);
  return { status: 'success', message: 'Two-step verification is on.', secrets: confirmed.recoveryCodes };
});

export const regenerateRecoveryCodesAction = sessionFormAction(PATH, z.object({}), undefined, async (_data, session) => {
  const made = await regenerateRecoveryCodes(session);
  if (!made.ok) return made;
  revalidatePath(PATH);
  return { status: 'success', message: 'New recovery codes. The old ones no longer work.', secrets: made.recoveryCodes };
});

export const disableTwoStepAction = sessionFormAction(PATH, z.object({ code: secondFactorField }), 'Two-step verification is still on.', async ({ code }, session) => {
  const disabled = await disableTwoStep(session, code);
  if (!disabled.ok) return disabled;
  revalidatePath(PATH);
  return { status: 'success', message: 'Two-step verification is off.' };
});
