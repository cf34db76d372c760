import 'server-only';
import { verifyPassword } from '@/lib/auth/password';
import { deleteUser, getPasswordHash } from '@/lib/db/queries/users';

/**
 * Deletes the person and, through ON DELETE CASCADE, everything that belongs to them (sessions,
 * security events). Needs their password; false when it is wrong.
 */
export async function deleteAccount(userId: number, password: string): Promise<boolean> {
  const hash = getPasswordHash(userId);
  if (!hash || !(await verifyPassword(password, hash))) return false;
  return deleteUser(userId);
}
