import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { hashPassword } from '@/lib/auth/password';
import { COMMON_PASSWORD_MESSAGE, isCommonPassword } from '@/lib/auth/password-policy';
import { TakenError, insertUser, replaceUnverifiedUser, usernameTaken, type NewUserInput, type PublicUser } from '@/lib/db/queries/users';
import { env } from '@/lib/env';
import { currentClient } from '@/lib/security/client-ip';
import { hit, waitText } from '@/lib/security/rate-limit';
import { invalidField, rateLimited, taken, type Outcome } from './failure';
import { sendVerificationCodeLater, tellOwnerOfSignupAttempt, verificationMode } from './verification';

const DAY = 24 * 60 * 60 * 1000;

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
 * notice both go out after the answer. An address held only by a `required`-mode sign-up nobody
 * verified is taken over by the new sign-up (replaceUnverifiedUser). In `optional` mode the code
 * goes out too, and the account is usable at once; `off` sends nothing.
 */
export async function createAccount(profile: Omit<NewUserInput, 'passwordHash'>, password: string): Promise<Registered> {
  const wait = Math.max(await hit('REGISTER_IP', (await currentClient()).limitKey), await hit('REGISTER_EMAIL', profile.email));
  if (wait > 0) return rateLimited(wait, { message: `Too many sign-ups from this network. Try again in ${waitText(wait)}.` });
  if (isCommonPassword(password)) return invalidField('password', COMMON_PASSWORD_MESSAGE);
  const mode = verificationMode();
  if (mode === 'required' && (await usernameTaken(profile.username, profile.email))) return taken('username');
  const passwordHash = await hashPassword(password);
  try {
    if (mode !== 'required') return created(await insertUser({ ...profile, passwordHash }), mode);
    const input = { ...profile, passwordHash, verifyBy: new Date(Date.now() + env().UNVERIFIED_ACCOUNT_DAYS * DAY) };
    let clash: TakenError;
    try {
      return created(await insertUser(input), mode);
    } catch (error) {
      if (!(error instanceof TakenError)) throw error;
      clash = error;
    }
    // Held by a sign-up nobody verified (perhaps this person's own, with the same username): this
    // one takes its place (replaceUnverifiedUser says why).
    const replaced = await replaceUnverifiedUser(input);
    if (replaced) return created(replaced, mode);
    if (clash.field === 'username') return taken('username');
    tellOwnerOfSignupAttempt(profile.email);
    return { ok: true, user: null };
  } catch (error) {
    if (error instanceof TakenError) return taken(error.field);
    throw error;
  }
}

async function created(user: PublicUser, mode: ReturnType<typeof verificationMode>): Promise<Registered> {
  await recordSecurityEvent(user.id, 'account_created');
  if (mode !== 'off') sendVerificationCodeLater(user);
  return { ok: true, user };
}
