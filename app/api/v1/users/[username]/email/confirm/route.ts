import { confirmEmailChange } from '@/lib/account/profile';
import { requireCaller } from '@/lib/api/auth';
import { readBody } from '@/lib/api/body';
import { ApiError, json, tooManyRequests, validationFailed } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { requireOwnAccount, toApiUser } from '@/lib/api/users';
import { apiEmailConfirmBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { code } = await readBody(request, apiEmailConfirmBody);
    const result = await confirmEmailChange(caller.user, code);
    if (result.ok) return json({ user: toApiUser(result.user) });
    if (result.retryAfterSeconds) throw tooManyRequests(result.retryAfterSeconds, result.message);
    if (result.taken) throw new ApiError(409, 'email_taken', result.message, { fields: { code: result.message } });
    throw validationFailed({ code: result.message });
  },
});
