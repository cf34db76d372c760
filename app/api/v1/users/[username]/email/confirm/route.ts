import { confirmEmailChange } from '@/lib/account/email-change';
import { requireCaller } from '@/lib/api/auth';
import { readBody } from '@/lib/api/body';
import { failureError, json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { requireOwnAccount, toApiUser } from '@/lib/api/users';
import { apiEmailConfirmBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { code } = await readBody(request, apiEmailConfirmBody);
    const result = await confirmEmailChange(caller.user, code);
    if (!result.ok) throw failureError(result);
    return json({ user: toApiUser(result.user) });
  },
});
