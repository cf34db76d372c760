import 'server-only';
import { afterResponse } from '@/lib/request-scope';
import { checkOwnPassword } from '@/lib/auth/reauth';
import { deleteUser, type PublicUser } from '@/lib/db/queries/users';
import { sendMail } from '@/lib/mail/send';
import { accountDeletedMail } from '@/lib/mail/templates';
import { sessionEnded, type Outcome } from './failure';

/**
 * Deletes the person and, through ON DELETE CASCADE, everything that belongs to them (sessions,
 * security events, one-time codes), then confirms it to their address. Needs their password
 * (wrong ones count like failed logins); the delete happens only while the password is still the
 * one checked, so a reset that lands meanwhile stops it.
 */
export async function deleteAccount(user: Pick<PublicUser, 'id' | 'email'>, password: string): Promise<Outcome> {
  const check = await checkOwnPassword(user.id, password, 'password');
  if (!check.ok) return check;
  if (!(await deleteUser(user.id, check.hash))) return sessionEnded();
  afterResponse(async () => {
    await sendMail(user.email, await accountDeletedMail());
  });
  return { ok: true };
}
