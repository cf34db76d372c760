import { changePassword } from '@/lib/account/password';
import { requireCaller } from '@/lib/api/auth';
import { readBody } from '@/lib/api/body';
import { failureError, json, noContent } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { accessTokenFor } from '@/lib/api/tokens';
import { followRotatedSession } from '@/lib/auth/browser-session';
import { apiChangePasswordBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  /**
   * Changes the caller's password; every other session of theirs ends, and this one moves to a
   * new id: bearer callers get its new token in the body (the old one is refused from now on),
   * cookie callers new cookies.
   */
  async POST(request) {
    const caller = await requireCaller(request, { changesState: true });
    const body = await readBody(request, apiChangePasswordBody);
    const result = await changePassword(caller.user, caller.sessionId, body);
    if (!result.ok) throw failureError(result);
    if (caller.via === 'cookie') {
      await followRotatedSession(caller.user, result.session);
      return noContent();
    }
    return json(await accessTokenFor(caller.user, result.session.sessionId));
  },
});
