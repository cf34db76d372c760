import 'server-only';
import { afterResponse } from '@/lib/request-scope';
import { proveItsYou, type Proof } from '@/lib/auth/step-up';
import { deleteUser, type PublicUser } from '@/lib/db/queries/users';
import { sendMail } from '@/lib/mail/send';
import { accountDeletedMail } from '@/lib/mail/templates';
import { sessionEnded, type Outcome } from './failure';

/**
 * Deletes the person and, through ON DELETE CASCADE, everything that belongs to them (sessions,
 * security events, one-time codes, second factors, passkeys), then confirms it to their address.
 * Needs their password or a code from their authenticator app (wrong ones count like failed
 * logins); the delete happens only while the password is still the one it read, so a reset that
 * lands meanwhile stops it.
 */
export async function deleteAccount(user: Pick<PublicUser, 'id' | 'email'>, proof: Proof): Promise<Outcome> {
  const check = await proveItsYou(user.id, proof, 'password', 'Enter your current password.');
  if (!check.ok) return check;
  if (!(await deleteUser(user.id, check.hash))) return sessionEnded();
  afterResponse(async () => {
    await sendMail(user.email, await accountDeletedMail());
  });
  return { ok: true };
}
