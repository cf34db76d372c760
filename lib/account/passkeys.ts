import 'server-only';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { registerPasskey, registrationOptions } from '@/lib/auth/passkeys';
import { requireRecentAuth, type Session } from '@/lib/auth/step-up';
import { deletePasskey, renamePasskey } from '@/lib/db/queries/passkeys';
import type { PublicUser } from '@/lib/db/queries/users';
import { conflict, type Outcome } from './failure';
import { mailSignInChange } from './two-step';

// Passkeys on /account/security: add (the two halves of the ceremony), rename, remove. Each
// needs a recent authentication; adding and removing mail the person.

const ONLY_WAY_IN = 'This passkey is the only way you can sign in. Set a password or connect an account first.';

type Person = Session & { user: Pick<PublicUser, 'id' | 'username' | 'firstName' | 'lastName' | 'email'> };

export async function passkeyOptionsForNew(session: Person, now = new Date()) {
  const recent = await requireRecentAuth(session, {}, now);
  if (!recent.ok) return recent;
  return registrationOptions(session.user, now);
}

export async function addPasskey(session: Person, name: string, response: RegistrationResponseJSON, now = new Date()): Promise<Outcome> {
  const recent = await requireRecentAuth(session, {}, now);
  if (!recent.ok) return recent;
  const added = await registerPasskey(session.user, name, response, now);
  if (added.ok) mailSignInChange(session.user, 'passkey_added');
  return added;
}

export async function renameOwnPasskey(session: Person, id: string, name: string, now = new Date()): Promise<Outcome> {
  const recent = await requireRecentAuth(session, {}, now);
  if (!recent.ok) return recent;
  return (await renamePasskey(session.user.id, id, name)) ? { ok: true } : conflict();
}

export async function removePasskey(session: Person, id: string, now = new Date()): Promise<Outcome> {
  const recent = await requireRecentAuth(session, {}, now);
  if (!recent.ok) return recent;
  const removed = await deletePasskey(session.user.id, id);
  if (removed === 'last') return conflict(ONLY_WAY_IN);
  if (removed === 'missing') return conflict();
  await recordSecurityEvent(session.user.id, 'passkey_removed', now);
  mailSignInChange(session.user, 'passkey_removed');
  return { ok: true };
}
