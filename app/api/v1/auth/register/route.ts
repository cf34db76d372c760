import { createAccount } from '@/lib/account/register';
import { readBody } from '@/lib/api/body';
import { failureError, json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { toApiUser } from '@/lib/api/users';
import { apiRegisterBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request) {
    const { password, ...profile } = await readBody(request, apiRegisterBody);
    const created = await createAccount(profile, password);
    if (!created.ok) throw failureError(created);
    return json({ user: toApiUser(created.user) }, 201);
  },
});
