import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { hashPassword } from '@/lib/auth/password';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '@/lib/auth/password-policy';
import { TakenError, insertUser, usernameTaken, type NewUserInput, type PublicUser } from '@/lib/db/queries/users';
import { currentClient } from '@/lib/security/client-ip';
import { hit, waitText } from '@/lib/security/rate-limit';
import { invalidField, rateLimited, taken, type Outcome } from './failure';
import { sendVerificationCodeLater, tellOwnerOfSignupAttempt, verificationMode } from './verification';

/**
 * `user` is null only in `required` mode, for an address that already has an account: nothing was
 * created, its owner is told by mail, and the caller answers exactly as for a new account.
 */
export type Registered = Outcome<{ user: PublicUser | null }>;

/**
 * Creates an account from validated registration fields (the form and the API share this). The
 * unique indexes decide races: of two registrations for one username, exactly one gets the row.
 * Attempts are limited per client and per address.
 *
 * In `required` mode the answer must not tell whether the address is registered: a taken username
 * is reported first (usernames are public), then the password is hashed whatever happens next, so
 * a registered address takes as long as a new one; the code for a new account and the owner's
 * notice both go out after the answer. In `optional` mode the code goes out too, and the account
 * is usable at once; `off` sends nothing.
 */
export async function createAccount(profile: Omit<NewUserInput, 'passwordHash'>, password: string): Promise<Registered> {
  const wait = Math.max(await hit('REGISTER_IP', (await currentClient()).limitKey), await hit('REGISTER_EMAIL', profile.email));
  if (wait > 0) return rateLimited(wait, { message: `Too many sign-ups from this network. Try again in ${waitText(wait)}.` });
  if (isCommonPassword(password)) return invalidField('password', COMMON_PASSWORD_MESSAGE);
  const mode = verificationMode();
  if (mode === 'required' && (await usernameTaken(profile.username))) return taken('username');
  const passwordHash = await hashPassword(password);
  try {
    const user = await insertUser({ ...profile, passwordHash });
    await recordSecurityEvent(user.id, 'account_created');
    if (mode !== 'off') sendVerificationCodeLater(user);
    return { ok: true, user };
  } catch (error) {
    if (!(error instanceof TakenError)) throw error;
    if (error.field === 'email' && mode === 'required') {
      tellOwnerOfSignupAttempt(profile.email);
      return { ok: true, user: null };
    }
    return taken(error.field);
  }
}
