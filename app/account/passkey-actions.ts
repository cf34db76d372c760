'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { addPasskey, passkeyOptionsForNew, removePasskey, renameOwnPasskey } from '@/lib/account/passkeys';
import { requireSession } from '@/lib/auth/dal';
import { assertionOptions } from '@/lib/auth/passkeys';
import { confirmIdentityWithPasskey } from '@/lib/auth/step-up';
import { ceremony, sessionFormAction, type CeremonyAnswer } from '@/lib/actions';
import { authenticationResponse, passkeyName, registrationResponse } from '@/lib/validation/passkeys';

// /account/security's passkeys. The two ceremonies are called from script (the browser's
// WebAuthn API sits between their two halves), so they take JSON arguments, checked here like
// any form; renaming and removing are plain forms.

const PATH = '/account/security';

/** The first half of adding a passkey: options for the browser's authenticator. */
export async function newPasskeyOptions(): Promise<CeremonyAnswer> {
  return ceremony(async () => passkeyOptionsForNew(await requireSession(PATH, 'action')));
}

/** The second half: the authenticator's answer, and the name the person gave it. */
export async function saveNewPasskey(name: unknown, response: unknown): Promise<CeremonyAnswer> {
  return ceremony(async () => {
    const session = await requireSession(PATH, 'action');
    const named = passkeyName.safeParse(name);
    if (!named.success) return { ok: false, message: named.error.issues[0]!.message };
    const parsed = registrationResponse.safeParse(response);
    if (!parsed.success) return { ok: false, message: 'That passkey couldn’t be added. Try again.' };
    const added = await addPasskey(session, named.data, parsed.data);
    if (added.ok) revalidatePath(PATH);
    return added;
  });
}

/** "Confirm it's you" with one of the person's passkeys: the options. */
export async function reauthPasskeyOptions(): Promise<CeremonyAnswer> {
  return ceremony(async () => {
    const { user } = await requireSession(PATH, 'action');
    return assertionOptions('reauthenticate', user.id);
  });
}

export async function confirmWithPasskey(response: unknown): Promise<CeremonyAnswer> {
  return ceremony(async () => {
    const session = await requireSession(PATH, 'action');
    const parsed = authenticationResponse.safeParse(response);
    if (!parsed.success) return { ok: false, message: 'That passkey didn’t work. Try again, or use your password.' };
    const confirmed = await confirmIdentityWithPasskey(session, parsed.data);
    if (confirmed.ok) revalidatePath(PATH);
    return confirmed;
  });
}

export const renamePasskeyAction = sessionFormAction(PATH, z.object({ id: z.string().max(1024), name: passkeyName }), 'The passkey was not renamed.', async ({ id, name }, session) => {
  const renamed = await renameOwnPasskey(session, id, name);
  if (!renamed.ok) return renamed;
  revalidatePath(PATH);
  return { status: 'success', message: `Renamed to “${name}”.` };
});

export const removePasskeyAction = sessionFormAction(PATH, z.object({ id: z.string().max(1024) }), 'The passkey was not removed.', async ({ id }, session) => {
  const removed = await removePasskey(session, id);
  if (!removed.ok) return removed;
  revalidatePath(PATH);
  return { status: 'success', message: 'Passkey removed.' };
});
