import 'server-only';
import { recordSecurityEvent } from '@/lib/auth/audit';
import { logIn } from '@/lib/auth/login';
import { revokeSession } from '@/lib/db/queries/sessions';
import { apiTokenBody } from '@/lib/validation/api';
import { requireCaller } from '../auth';
import { readBody } from '../body';
import { failureError, json, noContent } from '../errors';
import type { Methods } from '../route';
import { accessTokenFor } from '../tokens';
import { toApiUser } from '../users';

export const token: Methods = {
  async POST(request) {
    const { login, password } = await readBody(request, apiTokenBody);
    // One answer whether the account exists or not (the same bcrypt work is done either way).
    const attempt = await logIn({ login, password, remember: false });
    if (!attempt.ok) throw failureError(attempt);
    const { user, sessionId } = attempt.loggedIn;
    return json({ ...(await accessTokenFor(user, sessionId)), user: toApiUser(user) });
  },
};

export const logout: Methods = {
  async POST(request) {
    const caller = await requireCaller(request, { changesState: true });
    await revokeSession(caller.sessionId, new Date());
    await recordSecurityEvent(caller.user.id, 'logout');
    return noContent();
  },
};
