'use server';

import { redirect } from 'next/navigation';
import { createAccountFromProvider } from '@/lib/account/identities';
import { formAction } from '@/lib/actions';
import { pendingNewIdentity } from '@/lib/auth/provider-flow';
import { finishAccountSchema } from '@/lib/validation/auth';

/** "Finish creating your account" after a sign-in provider vouched for a new address. */
export const finishAccount = formAction(finishAccountSchema, 'Please correct the highlighted fields.', async (data) => {
  const pending = await pendingNewIdentity();
  // Ten minutes passed, or the cookie is gone: start again from the provider.
  if (!pending) redirect('/register?reason=expired');
  const created = await createAccountFromProvider(pending, data);
  if (!created.ok) return created;
  redirect(created.destination);
});
