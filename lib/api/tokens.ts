import 'server-only';
import { TOKEN_TTL_SECONDS, signSessionToken } from '@/lib/auth/token';
import type { PublicUser } from '@/lib/db/queries/users';

/** A bearer token for a session: the HS256 JWT the browser carries in its cookie, with the API's audience. */
export async function accessTokenFor(user: Pick<PublicUser, 'id' | 'username'>, sessionId: string) {
  const token = await signSessionToken({ sub: String(user.id), sid: sessionId, username: user.username }, 'api');
  return { access_token: token, token_type: 'Bearer' as const, expires_in: TOKEN_TTL_SECONDS };
}
