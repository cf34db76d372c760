import { readBody } from '@/lib/api/body';
import { ApiError, json } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { accessTokenFor } from '@/lib/api/tokens';
import { toApiUser } from '@/lib/api/users';
import { logIn } from '@/lib/auth/login';
import { clientIp, userAgent } from '@/lib/request';
import { apiTokenBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request) {
    const { login, password } = await readBody(request, apiTokenBody);
    const loggedIn = await logIn({ login, password, remember: false, userAgent: userAgent(request.headers), ip: clientIp(request.headers) });
    // One answer whether the account exists or not (the same bcrypt work is done either way).
    if (!loggedIn) throw new ApiError(401, 'invalid_credentials', 'That email or username and password don’t match an account.');
    return json({ ...(await accessTokenFor(loggedIn.user, loggedIn.sessionId)), user: toApiUser(loggedIn.user) });
  },
});
