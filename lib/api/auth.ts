import 'server-only';
import { sessionCookieName } from '@/lib/auth/cookies';
import { getLiveSessionSummary, getLiveSessionUser } from '@/lib/auth/session';
import type { SessionClaims } from '@/lib/auth/token';
import { verifySessionToken } from '@/lib/auth/token-node';
import type { AccountSummary } from '@/lib/db/queries/sessions';
import type { PublicUser } from '@/lib/db/queries/users';
import { cookieHeaderValue } from '@/lib/request-scope';
import { isSameOrigin } from '@/lib/security/origin';
import { ApiError } from './errors';

export type ApiCaller = { user: PublicUser; sessionId: string; via: 'bearer' | 'cookie' };

const REALM = 'gatehouse';

/** 401 with the RFC 6750 challenge; `description` set means a token was sent and refused. */
function unauthorized(code: string, message: string, description?: string): ApiError {
  const challenge = description
    ? `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`
    : `Bearer realm="${REALM}"`;
  return new ApiError(401, code, message, { headers: { 'WWW-Authenticate': challenge } });
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Who is calling: a bearer token, or else the browser's session cookie. Either way the same JWT
 * checks and the same session row, so a logout or password change ends both. Cookie-authenticated
 * requests that change something must come from this site (`Origin`), so the API opens no CSRF
 * hole.
 */
export async function requireCaller(request: Request, { changesState }: { changesState: boolean }): Promise<ApiCaller> {
  const { claims, via } = await callerToken(request, changesState);
  const user = await getLiveSessionUser(claims.sid, Number(claims.sub));
  if (!user) throw sessionEnded();
  return { user, sessionId: claims.sid, via };
}

/** requireCaller for GET /api/v1/me: the person, and what it reports besides, in the same one statement. */
export async function requireCallerWithSummary(request: Request): Promise<ApiCaller & { summary: AccountSummary }> {
  const { claims, via } = await callerToken(request, false);
  const live = await getLiveSessionSummary(claims.sid, Number(claims.sub));
  if (!live) throw sessionEnded();
  return { user: live.user, summary: live.summary, sessionId: claims.sid, via };
}

const sessionEnded = () => unauthorized('session_ended', 'This session has ended. Log in again.', 'The session has ended');

/** The caller's token, verified for how it came (a bearer token or the session cookie). */
async function callerToken(request: Request, changesState: boolean): Promise<{ claims: SessionClaims; via: ApiCaller['via'] }> {
  const header = request.headers.get('authorization');
  let token: string | undefined;
  let via: ApiCaller['via'] = 'bearer';
  if (header !== null && /^bearer\b/i.test(header.trim())) {
    token = BEARER.exec(header.trim())?.[1];
    if (!token) throw unauthorized('invalid_token', 'The access token is malformed.', 'The access token is malformed');
  } else {
    token = cookieHeaderValue(request.headers.get('cookie'), sessionCookieName());
    via = 'cookie';
    if (!token) throw unauthorized('unauthorized', 'Send an access token: Authorization: Bearer <access_token>.');
    if (changesState && !isSameOrigin(request.headers)) {
      throw new ApiError(403, 'cross_origin', 'Requests authenticated by the session cookie must come from this site.');
    }
  }

  // A browser's token is no bearer token, and an API token is no cookie (see AUDIENCES).
  const verified = await verifySessionToken(token, via === 'bearer' ? 'api' : 'browser');
  if (!verified.ok) {
    throw verified.reason === 'expired'
      ? unauthorized('token_expired', 'The access token has expired. Get a new one.', 'The access token expired')
      : unauthorized('invalid_token', 'The access token is invalid.', 'The access token is invalid');
  }
  return { claims: verified.claims, via };
}
