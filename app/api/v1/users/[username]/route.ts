import { deleteAccount } from '@/lib/account/delete';
import { updateProfile } from '@/lib/account/profile';
import { requireCaller } from '@/lib/api/auth';
import { readBody } from '@/lib/api/body';
import { failureError, json, noContent, validationFailed } from '@/lib/api/errors';
import { freshToken } from '@/lib/api/profile';
import { apiRoute } from '@/lib/api/route';
import { requireOwnAccount, toApiUser } from '@/lib/api/users';
import { EMAIL_THROUGH_CONFIRMATION, apiDeleteBody, apiPatchProfileBody, apiPutProfileBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  /** Partial update: only the fields sent change. */
  async PATCH(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { email: _never, ...changes } = await readBody(request, apiPatchProfileBody);
    const result = await updateProfile(caller.user, changes);
    if (!result.ok) throw failureError(result);
    const token = result.changed.includes('username') ? await freshToken(caller, result.user, true) : {};
    return json({ user: toApiUser(result.user), ...token });
  },

  /** Full replace: every field; the email must stay what it is. */
  async PUT(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { email, ...profile } = await readBody(request, apiPutProfileBody);
    if (email !== caller.user.email) throw validationFailed({ email: EMAIL_THROUGH_CONFIRMATION });
    const result = await updateProfile(caller.user, profile);
    if (!result.ok) throw failureError(result);
    return json({ user: toApiUser(result.user), ...(await freshToken(caller, result.user, result.changed.includes('username'))) });
  },

  async DELETE(request, params) {
    const caller = await requireCaller(request, { changesState: true });
    requireOwnAccount(caller, params);
    const { password } = await readBody(request, apiDeleteBody);
    const deleted = await deleteAccount(caller.user, password);
    if (!deleted.ok) throw failureError(deleted);
    return noContent();
  },
});
