import 'server-only';
import type { LoggedIn, SignIn } from '@/lib/auth/sign-in';
import { TOKEN_TTL_SECONDS, signSessionToken } from '@/lib/auth/token';
import type { PublicUser } from '@/lib/db/queries/users';
import { json } from './errors';
import { toApiUser } from './users';

/** A bearer token for a session: the HS256 JWT the browser carries in its cookie, with the API's audience. */
export async function accessTokenFor(user: Pick<PublicUser, 'id' | 'username'>, sessionId: string) {
  const token = await signSessionToken({ sub: String(user.id), sid: sessionId, username: user.username }, 'api');
  return { access_token: token, token_type: 'Bearer' as const, expires_in: TOKEN_TTL_SECONDS };
}

export const MFA_REQUIRED = 'This account has two-step verification on: send a code from the authenticator app (or a recovery code) with this mfa_token to POST /api/v1/auth/token/mfa.';

/**
 * A first step's answer to an API client: the token body, or — with two-step verification on —
 * 401 `mfa_required` with the `mfa_token` for POST /api/v1/auth/token/mfa.
 */
export async function signInResponse(signedIn: Extract<SignIn, { ok: true }>): Promise<Response> {
  if (signedIn.secondStep) return json({ error: { code: 'mfa_required', message: MFA_REQUIRED }, mfa_token: signedIn.secondStep.token }, 401);
  return json(await tokenBody(signedIn.loggedIn));
}

/** The body of a sign-in that started a session: the bearer token and the user. */
export async function tokenBody({ user, sessionId }: LoggedIn) {
  return { ...(await accessTokenFor(user, sessionId)), user: toApiUser(user) };
}
