import 'server-only';
import { setPasswordHash, type PublicUser, type UserForLogin } from '@/lib/db/queries/users';
import { charCount, PASSWORD_MAX } from '@/lib/validation/fields';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from './password';

export type Authentication =
  /** `passwordHash`: what the account's hash is now, for the session's compare-and-swap. */
  | { ok: true; user: PublicUser; passwordHash: string; twoStep: boolean }
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
  const { passwordHash, twoStep, ...user } = found;
  if (!needsRehash(passwordHash)) return { ok: true, user, passwordHash, twoStep };
  // A stronger hash of the same password, unless a reset or change replaced it meanwhile.
  const upgraded = await hashPassword(password);
  return (await setPasswordHash(user.id, upgraded, new Date(), passwordHash)) ? { ok: true, user, passwordHash: upgraded, twoStep } : { ok: false, userId: user.id };
}
