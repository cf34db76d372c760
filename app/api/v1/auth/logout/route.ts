import { requireCaller } from '@/lib/api/auth';
import { noContent } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { endSession } from '@/lib/auth/session';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request) {
    const caller = await requireCaller(request, { changesState: true });
    endSession(caller.sessionId);
    await recordSecurityEvent(caller.user.id, 'logout');
    return noContent();
  },
});
