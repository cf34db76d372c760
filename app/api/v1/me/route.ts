import { requireCaller } from '@/lib/api/auth';
import { json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { toApiUser } from '@/lib/api/users';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async GET(request) {
    const { user } = await requireCaller(request, { changesState: false });
    return json({ user: toApiUser(user) });
  },
});
