import 'server-only';
import { findUserForLogin, getPasswordHash, type PublicUser, type UserForLogin } from '@/lib/db/queries/users';
import { TOO_MANY_ATTEMPTS, blockedFor, clear, hit } from '@/lib/security/rate-limit';
import { recordSecurityEvent } from './audit';
import { authenticate } from './credentials';
import { verifyPassword } from './password';
import { startSession } from './session';

export type LoggedIn = { user: PublicUser; sessionId: string; refreshToken?: string };
export type LoginAttempt = { ok: true; loggedIn: LoggedIn } | { ok: false; retryAfterSeconds?: number };

/**
 * The key failed logins count against: the account when one answers to this login (so email and
 * username share one budget), else the login as typed — an unknown name is limited exactly like a
 * real one, so the limit says nothing about who is registered.
 */
function accountKey(login: string, found: UserForLogin | undefined): string {
  return found ? `user:${found.id}` : `login:${login.trim().toLowerCase()}`;
}

async function blockedForKey(key: string, ip: string | null): Promise<number> {
  return Math.max(await blockedFor('LOGIN_ACCOUNT', key), ip ? await blockedFor('LOGIN_IP', ip) : 0);
}

/** Seconds until this login (or this IP) may try again; 0 when it may now. */
export async function loginBlockedFor(login: string, ip: string | null): Promise<number> {
  return blockedForKey(accountKey(login, findUserForLogin(login)), ip);
}

/**
 * Checks the credentials and starts a session: the one way in, for the login form (through
 * Auth.js) and for the API's token endpoint. Failures count per account and per IP; past the
 * limit no password is checked until the window ends (at most 15 minutes by default: a lock that
 * guessing can't make permanent, and a reset by code always works). Records the login, or the
 * failure on an existing account, in that person's activity.
 */
export async function logIn(input: {
  login: string;
  password: string;
  remember: boolean;
  userAgent: string | null;
  ip: string | null;
}): Promise<LoginAttempt> {
  const found = findUserForLogin(input.login);
  const key = accountKey(input.login, found);
  const wait = await blockedForKey(key, input.ip);
  if (wait > 0) return { ok: false, retryAfterSeconds: wait };

  const result = await authenticate(found, input.password);
  if (!result.ok) {
    await hit('LOGIN_ACCOUNT', key);
    if (input.ip) await hit('LOGIN_IP', input.ip);
    if (result.userId) await recordSecurityEvent(result.userId, 'login_failed');
    return { ok: false };
  }
  await clear('LOGIN_ACCOUNT', key);
  const { sessionId, refreshToken } = startSession({
    userId: result.user.id,
    remember: input.remember,
    userAgent: input.userAgent,
    ip: input.ip,
  });
  await recordSecurityEvent(result.user.id, 'login');
  return { ok: true, loggedIn: { user: result.user, sessionId, refreshToken } };
}

export type PasswordCheck = { ok: true } | { ok: false; retryAfterSeconds?: number };

/**
 * Re-checks a signed-in person's password before a sensitive change (email, password, deletion).
 * Wrong answers count against the same per-account budget as failed logins, so a stolen session
 * can't be used to guess the password either.
 */
export async function checkOwnPassword(userId: number, password: string): Promise<PasswordCheck> {
  const key = `user:${userId}`;
  const wait = await blockedFor('LOGIN_ACCOUNT', key);
  if (wait > 0) return { ok: false, retryAfterSeconds: wait };
  const hash = getPasswordHash(userId);
  if (hash && (await verifyPassword(password, hash))) return { ok: true };
  await hit('LOGIN_ACCOUNT', key);
  return { ok: false };
}

/** What to say by the current-password field when the check failed. */
export function currentPasswordProblem(check: Extract<PasswordCheck, { ok: false }>): string {
  return check.retryAfterSeconds ? TOO_MANY_ATTEMPTS(check.retryAfterSeconds) : 'That is not your current password.';
}

/** After a reset by code the person proved who they are: their login lock is lifted. */
export async function clearLoginFailures(userId: number): Promise<void> {
  await clear('LOGIN_ACCOUNT', `user:${userId}`);
}
