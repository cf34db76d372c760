import 'server-only';
import type { ProfileUpdate } from '@/lib/account/profile';
import { reissueSessionToken } from '@/lib/auth/next-auth';
import { rotateSessionId } from '@/lib/auth/session';
import type { PublicUser } from '@/lib/db/queries/users';
import type { ApiCaller } from './auth';
import { ApiError, validationFailed } from './errors';
import { accessTokenFor } from './tokens';

/** The API's answer to a failed profile update: 409 for a taken name or email, else 422. */
export function profileUpdateError(result: Extract<ProfileUpdate, { ok: false }>): ApiError {
  if (result.conflict) return new ApiError(409, 'conflict', 'The profile changed while this request ran. Read it again and retry.');
  const fields = result.fieldErrors as Record<string, string>;
  if (result.taken) return new ApiError(409, `${result.taken}_taken`, fields[result.taken]!, { fields });
  return validationFailed(fields);
}

/**
 * After a change, a token that names the person as they are now. A username change moves the
 * session to a new id, so the old token stops working. Bearer callers get the new token in the
 * body; cookie callers get it in their cookie (never in a body a script could read).
 */
export async function freshToken(caller: ApiCaller, user: PublicUser, usernameChanged: boolean): Promise<{ access_token?: string }> {
  if (caller.via === 'cookie') {
    if (usernameChanged) await reissueSessionToken(caller.sessionId, user);
    return {};
  }
  const sessionId = usernameChanged ? rotateSessionId(caller.sessionId) : caller.sessionId;
  if (!sessionId) throw new ApiError(401, 'session_ended', 'This session has ended. Log in again.');
  return { access_token: (await accessTokenFor(user, sessionId)).access_token };
}
