import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { hashPassword } from '@/lib/auth/password';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '@/lib/auth/password-policy';
import { TakenError, insertUser, type NewUserInput, type PublicUser } from '@/lib/db/queries/users';
import { currentClient } from '@/lib/security/client-ip';
import { hit } from '@/lib/security/rate-limit';

export const REGISTER_TAKEN_MESSAGES = {
  username: 'That username is already taken.',
  email: 'An account with this email already exists. Log in instead?',
} as const;

export type Registration =
  | { ok: true; user: PublicUser }
  | { ok: false; retryAfterSeconds: number; fieldErrors?: never; taken?: never }
  | { ok: false; fieldErrors: { password: string }; taken?: never; retryAfterSeconds?: never }
  | { ok: false; fieldErrors: Partial<Record<'username' | 'email', string>>; taken: 'username' | 'email'; retryAfterSeconds?: never };

/**
 * Creates an account from validated registration fields (the form and the API share this). The
 * unique indexes decide races: of two registrations for one username, exactly one gets the row.
 * Attempts are limited per client IP and per address (a "taken" answer tells whether a name or
 * address is registered, so probing it must be slow).
 */
export async function createAccount(profile: Omit<NewUserInput, 'passwordHash'>, password: string): Promise<Registration> {
  const wait = Math.max(await hit('REGISTER_IP', (await currentClient()).limitKey), await hit('REGISTER_EMAIL', profile.email));
  if (wait > 0) return { ok: false, retryAfterSeconds: wait };
  if (isCommonPassword(password)) return { ok: false, fieldErrors: { password: COMMON_PASSWORD_MESSAGE } };
  try {
    const user = insertUser({ ...profile, passwordHash: await hashPassword(password) });
    await recordSecurityEvent(user.id, 'account_created');
    return { ok: true, user };
  } catch (error) {
    if (error instanceof TakenError) return { ok: false, taken: error.field, fieldErrors: { [error.field]: REGISTER_TAKEN_MESSAGES[error.field] } };
    throw error;
  }
}
