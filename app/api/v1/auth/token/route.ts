import { readBody } from '@/lib/api/body';
import { ApiError, json, tooManyRequests } from '@/lib/api/errors';
import { apiRoute } from '@/lib/api/route';
import { accessTokenFor } from '@/lib/api/tokens';
import { toApiUser } from '@/lib/api/users';
import { logIn } from '@/lib/auth/login';
import { TOO_MANY_ATTEMPTS } from '@/lib/security/rate-limit';
import { apiTokenBody } from '@/lib/validation/api';

export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  async POST(request) {
    const { login, password } = await readBody(request, apiTokenBody);
    const attempt = await logIn({ login, password, remember: false });
    if (!attempt.ok && attempt.retryAfterSeconds) throw tooManyRequests(attempt.retryAfterSeconds, TOO_MANY_ATTEMPTS(attempt.retryAfterSeconds));
    // One answer whether the account exists or not (the same bcrypt work is done either way).
    if (!attempt.ok) throw new ApiError(401, 'invalid_credentials', 'That email or username and password don’t match an account.');
    const { user, sessionId } = attempt.loggedIn;
    return json({ ...(await accessTokenFor(user, sessionId)), user: toApiUser(user) });
  },
});
