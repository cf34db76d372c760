import { createAccount } from '@/lib/account/register';
import { readBody } from '@/lib/api/body';
import { ApiError, json, tooManyRequests, validationFailed } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { toApiUser } from '@/lib/api/users';
import { waitText } from '@/lib/security/rate-limit';
import { apiRegisterBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request) {
    const { password, ...profile } = await readBody(request, apiRegisterBody);
    const created = await createAccount(profile, password);
    if (created.ok) return json({ user: toApiUser(created.user) }, 201);
    if (created.retryAfterSeconds) {
      throw tooManyRequests(created.retryAfterSeconds, `Too many sign-ups from this address. Try again in ${waitText(created.retryAfterSeconds)}.`);
    }
    if (created.taken) throw new ApiError(409, `${created.taken}_taken`, created.fieldErrors[created.taken]!, { fields: created.fieldErrors });
    throw validationFailed(created.fieldErrors!);
  },
});
