'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { disconnectProvider } from '@/lib/account/identities';
import { requestPasswordReset } from '@/lib/account/recovery';
import { sessionFormAction } from '@/lib/actions';
import { providerName } from '@/lib/auth/providers';
import { PROVIDER_IDS } from '@/lib/db/values';

// /account/security's "Connected accounts" (connecting goes through /auth/oauth/start) and the
// "Set a password" of an account made through a provider.

const PATH = '/account/security';

export const disconnectProviderAction = sessionFormAction(PATH, z.object({ provider: z.enum(PROVIDER_IDS) }), undefined, async ({ provider }, session) => {
  const result = await disconnectProvider(session, provider);
  if (!result.ok) return result;
  revalidatePath(PATH);
  return { status: 'success', message: `${providerName(provider)} is disconnected: it can’t sign in to your account any more.` };
});

/** No password yet: the reset flow sets one, with a code sent to the account's address. */
export const setPasswordByEmail = sessionFormAction(PATH, z.object({}), undefined, async (_data, session) => {
  await requestPasswordReset(session.user.email);
  redirect(`/reset-password?${new URLSearchParams({ email: session.user.email, sent: '1' })}`);
});
