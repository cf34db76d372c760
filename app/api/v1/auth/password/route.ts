import { changePassword } from '@/lib/account/password';
import { requireCaller } from '@/lib/api/auth';
import { readBody } from '@/lib/api/body';
import { noContent, tooManyRequests, validationFailed } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { apiChangePasswordBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  /** Changes the caller's password; every other session of theirs ends, this one stays. */
  async POST(request) {
    const caller = await requireCaller(request, { changesState: true });
    const body = await readBody(request, apiChangePasswordBody);
    const result = await changePassword(caller.user, caller.sessionId, body);
    if (!result.ok && result.retryAfterSeconds) throw tooManyRequests(result.retryAfterSeconds, result.fieldErrors.currentPassword!);
    if (!result.ok) throw validationFailed(result.fieldErrors);
    return noContent();
  },
});
