import 'server-only';
import type { ProfileUpdate } from '@/lib/account/profile';
import { followRotatedSession } from '@/lib/auth/browser-session';
import { rotateSession, type StartedSession } from '@/lib/auth/session';
import type { PublicUser } from '@/lib/db/queries/users';
import type { ApiCaller } from './auth';
import { ApiError, tooManyRequests, validationFailed } from './errors';
import { accessTokenFor } from './tokens';

/** The API's answer to a failed profile update: 409 for a taken name, 429 past the username limit, else 422. */
export function profileUpdateError(result: Extract<ProfileUpdate, { ok: false }>): ApiError {
  if (result.conflict) return new ApiError(409, 'conflict', 'The profile changed while this request ran. Read it again and retry.');
  const fields = result.fieldErrors as Record<string, string>;
  if (result.taken) return new ApiError(409, `${result.taken}_taken`, fields[result.taken]!, { fields });
  if (result.retryAfterSeconds) return tooManyRequests(result.retryAfterSeconds, Object.values(fields)[0]!);
  return validationFailed(fields);
}

export const sessionEnded = () => new ApiError(401, 'session_ended', 'This session has ended. Log in again.');

/**
 * The token for a session that moved to a new id (rotateSession): bearer callers get it in the
 * body; cookie callers get it in their cookies (never in a body a script could read).
 */
export async function rotatedToken(caller: ApiCaller, user: PublicUser, rotated: StartedSession | null): Promise<{ access_token?: string }> {
  if (!rotated) throw sessionEnded();
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
  if (usernameChanged) return rotatedToken(caller, user, rotateSession(caller.sessionId));
  return caller.via === 'cookie' ? {} : { access_token: (await accessTokenFor(user, caller.sessionId)).access_token };
}
