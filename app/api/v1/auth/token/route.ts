import { readBody } from '@/lib/api/body';
import { failureError, json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { accessTokenFor } from '@/lib/api/tokens';
import { toApiUser } from '@/lib/api/users';
import { logIn } from '@/lib/auth/login';
import { apiTokenBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request) {
    const { login, password } = await readBody(request, apiTokenBody);
    // One answer whether the account exists or not (the same bcrypt work is done either way).
    const attempt = await logIn({ login, password, remember: false });
    if (!attempt.ok) throw failureError(attempt);
    const { user, sessionId } = attempt.loggedIn;
    return json({ ...(await accessTokenFor(user, sessionId)), user: toApiUser(user) });
  },
});
