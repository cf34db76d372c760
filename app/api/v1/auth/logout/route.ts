import { requireCaller } from '@/lib/api/auth';
import { noContent } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { revokeSession } from '@/lib/db/queries/sessions';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request) {
    const caller = await requireCaller(request, { changesState: true });
    await revokeSession(caller.sessionId, new Date());
    await recordSecurityEvent(caller.user.id, 'logout');
    return noContent();
  },
});
