import 'server-only';
import { after } from 'next/server';
import { verifyPassword } from '@/lib/auth/password';
import { deleteUser, getPasswordHash, type PublicUser } from '@/lib/db/queries/users';
import { sendMail } from '@/lib/mail/send';
import { accountDeletedMail } from '@/lib/mail/templates';

/**
 * Deletes the person and, through ON DELETE CASCADE, everything that belongs to them (sessions,
 * security events, one-time codes), then confirms it to their address. Needs their password;
 * false when it is wrong.
 */
export async function deleteAccount(user: Pick<PublicUser, 'id' | 'email'>, password: string): Promise<boolean> {
  const hash = getPasswordHash(user.id);
  if (!hash || !(await verifyPassword(password, hash))) return false;
  if (!deleteUser(user.id)) return false;
  after(async () => {
    await sendMail(user.email, await accountDeletedMail());
  });
  return true;
}
