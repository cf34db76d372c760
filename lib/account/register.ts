import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { hashPassword } from '@/lib/auth/password';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '@/lib/auth/password-policy';
import { TakenError, insertUser, type NewUserInput, type PublicUser } from '@/lib/db/queries/users';
import { currentClient } from '@/lib/security/client-ip';
import { hit, waitText } from '@/lib/security/rate-limit';
import { invalidField, rateLimited, taken, type Outcome } from './failure';

/**
 * Creates an account from validated registration fields (the form and the API share this). The
 * unique indexes decide races: of two registrations for one username, exactly one gets the row.
 * Attempts are limited per client and per address (a "taken" answer tells whether a name or
 * address is registered, so probing it must be slow).
 */
export async function createAccount(profile: Omit<NewUserInput, 'passwordHash'>, password: string): Promise<Outcome<{ user: PublicUser }>> {
  const wait = Math.max(await hit('REGISTER_IP', (await currentClient()).limitKey), await hit('REGISTER_EMAIL', profile.email));
  if (wait > 0) return rateLimited(wait, { message: `Too many sign-ups from this network. Try again in ${waitText(wait)}.` });
  if (isCommonPassword(password)) return invalidField('password', COMMON_PASSWORD_MESSAGE);
  try {
    const user = await insertUser({ ...profile, passwordHash: await hashPassword(password) });
    await recordSecurityEvent(user.id, 'account_created');
    return { ok: true, user };
  } catch (error) {
    if (error instanceof TakenError) return taken(error.field);
    throw error;
  }
}
