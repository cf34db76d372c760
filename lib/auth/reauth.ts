import 'server-only';
import { invalidField, rateLimited, type Outcome } from '@/lib/account/failure';
import { getPasswordHash } from '@/lib/db/queries/users';
import { clear, giveBack, hit } from '@/lib/security/rate-limit';
import { currentDeviceCookie } from './device';
import { verifyPassword } from './password';
import { passwordBudget } from './password-budget';

const WRONG_CURRENT_PASSWORD = 'That is not your current password.';

/**
 * Re-checks a signed-in person's password before a sensitive change (email, password, deletion).
 * Tries count, before the compare, against the same budget as their logins from this browser, so
 * a stolen session can't be used to guess the password either. `hash`: the stored hash the
 * password matched; the write that follows swaps only that one. `field`: the form field a failure
 * is shown next to.
 */
export async function checkOwnPassword(userId: number, password: string, field = 'currentPassword'): Promise<Outcome<{ hash: string }>> {
  const budget = passwordBudget(userId, '', await currentDeviceCookie());
  const wait = await hit(budget.name, budget.key);
  if (wait > 0) return rateLimited(wait, { field });
  const hash = await getPasswordHash(userId);
  const matches = await (hash ? verifyPassword(password, hash) : Promise.resolve(false)).catch(async (error: unknown) => {
    await giveBack(budget.name, budget.key);
    throw error;
  });
  if (!matches) return invalidField(field, WRONG_CURRENT_PASSWORD);
  await clear(budget.name, budget.key);
  return { ok: true, hash: hash! };
}
