import 'server-only';
import { after } from 'next/server';
import { checkOwnPassword, type PasswordCheck } from '@/lib/auth/login';
import { deleteUser, type PublicUser } from '@/lib/db/queries/users';
import { sendMail } from '@/lib/mail/send';
import { accountDeletedMail } from '@/lib/mail/templates';

/**
 * Deletes the person and, through ON DELETE CASCADE, everything that belongs to them (sessions,
 * security events, one-time codes), then confirms it to their address. Needs their password
 * (wrong ones count like failed logins).
 */
export async function deleteAccount(user: Pick<PublicUser, 'id' | 'email'>, password: string): Promise<PasswordCheck> {
  const check = await checkOwnPassword(user.id, password);
  if (!check.ok) return check;
  if (!deleteUser(user.id)) return { ok: false };
  after(async () => {
    await sendMail(user.email, await accountDeletedMail());
  });
  return { ok: true };
}
