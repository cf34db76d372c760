import 'server-only';
import type { PublicUser } from '@/lib/db/queries/users';
import { recordSecurityEvent } from './audit';
import { authenticate } from './credentials';
import { startSession } from './session';

export type LoggedIn = { user: PublicUser; sessionId: string; refreshToken?: string };

/**
 * Checks the credentials and starts a session: the one way in, for the login form (through
 * Auth.js) and for the API's token endpoint. Records the login, or the failure on an existing
 * account, in that person's activity.
 */
export async function logIn(input: {
  login: string;
  password: string;
  remember: boolean;
  userAgent: string | null;
  ip: string | null;
}): Promise<LoggedIn | null> {
  const result = await authenticate(input.login, input.password);
  if (!result.ok) {
    if (result.userId) await recordSecurityEvent(result.userId, 'login_failed');
    return null;
  }
  const { sessionId, refreshToken } = startSession({
    userId: result.user.id,
    remember: input.remember,
    userAgent: input.userAgent,
    ip: input.ip,
  });
  await recordSecurityEvent(result.user.id, 'login');
  return { user: result.user, sessionId, refreshToken };
}
