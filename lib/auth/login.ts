import 'server-only';
import { badCredentials, emailUnverified, rateLimited } from '@/lib/account/failure';
import { sendVerificationCodeLater, verificationMode } from '@/lib/account/verification';
import { findUserForLogin } from '@/lib/db/queries/users';
import { currentClient } from '@/lib/security/client-ip';
import { clear, giveBack, hit } from '@/lib/security/rate-limit';
import { recordSecurityEvent } from './audit';
import { authenticate } from './credentials';
import { currentDeviceCookie } from './device';
import { passwordBudget } from './password-budget';
import { signIn, type SignIn } from './sign-in';

/**
 * Checks the credentials and starts a session: the one way in with a password, for the login form
 * and the API's token endpoint. The try is counted before the password is compared (per account,
 * or per known browser, and per client IP), so a burst of guesses gets no more checked answers
 * than the budget; past it no password is checked until the window ends (15 minutes by default:
 * a lock guessing can't make permanent, and a reset by code always works). A right password gives
 * the tries back. Records the login, or the failure on an existing account, in its activity. In
 * `required` mode an account whose address isn't verified gets no session: a new code instead; with
 * two-step verification on, the answer is the second step's challenge (lib/auth/sign-in.ts).
 */
export async function logIn(input: { login: string; password: string; remember: boolean }): Promise<SignIn> {
  const client = await currentClient();
  const found = await findUserForLogin(input.login);
  const budget = passwordBudget(found?.id, input.login, await currentDeviceCookie());
  // A browser known for this account has its own budget and isn't held to its network's.
  const limits = budget.name === 'LOGIN_DEVICE' ? [budget] : [{ name: 'LOGIN_IP' as const, key: client.limitKey }, budget];
  const taken: typeof limits = [];
  const giveAllBack = () => Promise.all(taken.map((limit) => giveBack(limit.name, limit.key)));
  for (const limit of limits) {
    const wait = await hit(limit.name, limit.key);
    if (wait > 0) {
      await giveAllBack();
      return rateLimited(wait);
    }
    taken.push(limit);
  }

  const result = await authenticate(found, input.password).catch(async (error: unknown) => {
    // Never compared (the hashing queue was full): the try doesn't count.
    await giveAllBack();
    throw error;
  });
  if (!result.ok) {
    if (result.userId) await recordSecurityEvent(result.userId, 'login_failed');
    return badCredentials();
  }
  // A right password wipes the failures, unless a second step follows: then its own try goes
  // back and the count stands, for the codes that count against the same budget: "log in, guess
  // four codes" must not start afresh each time.
  if (result.twoStep) await giveBack(budget.name, budget.key);
  else await clear(budget.name, budget.key);
  if (budget.name !== 'LOGIN_DEVICE') await giveBack('LOGIN_IP', client.limitKey);
  // Only someone with the password learns that the address waits for its code, and gets a new one.
  if (!result.user.emailVerifiedAt && verificationMode() === 'required') {
    sendVerificationCodeLater(result.user);
    return emailUnverified(result.user);
  }
  const { user, passwordHash, twoStep } = result;
  const signedIn = await signIn(user, { remember: input.remember, method: 'password', passwordHash, twoStep });
  return signedIn.ok ? signedIn : badCredentials();
}

/** After a reset by code the person proved who they are: the lock on unknown browsers is lifted. */
export async function clearLoginFailures(userId: number): Promise<void> {
  await clear('LOGIN_ACCOUNT', `user:${userId}`);
}
