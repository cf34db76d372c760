import 'server-only';
import { getPasswordHash, setPasswordHash, type PublicUser, type UserForLogin } from '@/lib/db/queries/users';
import { charCount, PASSWORD_MAX } from '@/lib/validation/fields';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from './password';

export type Authentication =
  | { ok: true; user: PublicUser }
  /** `userId`: the account that exists under that login, for its security log; never shown. */
  | { ok: false; userId?: number };

/**
 * Checks a password against the account a login found (findUserForLogin), or against none.
 * Unknown accounts cost one bcrypt compare against a dummy hash, the same as a wrong password, so
 * timing reveals nothing.
 */
export async function authenticate(found: UserForLogin | undefined, password: string): Promise<Authentication> {
  // Longer than any password we accept: it cannot match, and is not worth hashing.
  const plausible = charCount(password) <= PASSWORD_MAX;
  const ok = await verifyPassword(plausible ? password : '', found?.passwordHash ?? (await dummyHash()));
  if (!found) return { ok: false };
  if (!ok || !plausible) return { ok: false, userId: found.id };
  // The compare took a while on another thread: if a reset or change replaced the password in the
  // meantime (and ended every session), the old one must not open a new session.
  if (getPasswordHash(found.id) !== found.passwordHash) return { ok: false, userId: found.id };
  const { passwordHash, ...user } = found;
  if (needsRehash(passwordHash)) setPasswordHash(user.id, await hashPassword(password));
  return { ok: true, user };
}
