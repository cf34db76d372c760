import 'server-only';
import { sessionEnded } from '@/lib/account/failure';
import { followRotatedSession } from '@/lib/auth/browser-session';
import { rotateSession, type StartedSession } from '@/lib/auth/session';
import type { PublicUser } from '@/lib/db/queries/users';
import type { ApiCaller } from './auth';
import { failureError } from './errors';
import { accessTokenFor } from './tokens';

/**
 * The token for a session that moved to a new id (rotateSession): bearer callers get it in the
 * body; cookie callers get it in their cookies (never in a body a script could read).
 */
export async function rotatedToken(caller: ApiCaller, user: PublicUser, rotated: StartedSession | null): Promise<{ access_token?: string }> {
  if (!rotated) throw failureError(sessionEnded());
  if (caller.via === 'cookie') {
    await followRotatedSession(user, rotated);
    return {};
  }
  return { access_token: (await accessTokenFor(user, rotated.sessionId)).access_token };
}

/**
 * After a profile change, a token that names the person as they are now. A username change moves
 * the session to a new id, so the old token stops working.
 */
export async function freshToken(caller: ApiCaller, user: PublicUser, usernameChanged: boolean): Promise<{ access_token?: string }> {
  if (usernameChanged) return rotatedToken(caller, user, await rotateSession(caller.sessionId));
  return caller.via === 'cookie' ? {} : { access_token: (await accessTokenFor(user, caller.sessionId)).access_token };
}
