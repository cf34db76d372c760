import 'server-only';
import { getPasswordHash } from '@/lib/db/queries/users';
import { TOO_MANY_ATTEMPTS, clear, giveBack, hit } from '@/lib/security/rate-limit';
import { currentDeviceCookie } from './device';
import { verifyPassword } from './password';
import { passwordBudget } from './password-budget';

/** `hash`: the stored hash the password matched; the write that follows swaps only that one. */
export type PasswordCheck = { ok: true; hash: string } | { ok: false; retryAfterSeconds?: number };

/**
 * Re-checks a signed-in person's password before a sensitive change (email, password, deletion).
 * Tries count, before the compare, against the same budget as their logins from this browser, so
 * a stolen session can't be used to guess the password either.
 */
export async function checkOwnPassword(userId: number, password: string): Promise<PasswordCheck> {
  const budget = passwordBudget(userId, '', await currentDeviceCookie());
  const wait = await hit(budget.name, budget.key);
  if (wait > 0) return { ok: false, retryAfterSeconds: wait };
  const hash = getPasswordHash(userId);
  const matches = await (hash ? verifyPassword(password, hash) : Promise.resolve(false)).catch(async (error: unknown) => {
    await giveBack(budget.name, budget.key);
    throw error;
  });
  if (!matches) return { ok: false };
  await clear(budget.name, budget.key);
  return { ok: true, hash: hash! };
}

/** What to say by the current-password field when the check failed. */
export function currentPasswordProblem(check: Extract<PasswordCheck, { ok: false }>): string {
  return check.retryAfterSeconds ? TOO_MANY_ATTEMPTS(check.retryAfterSeconds) : 'That is not your current password.';
}
