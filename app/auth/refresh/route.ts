import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { clearAuthCookies, refreshCookieName, setRefreshCookie, setSessionCookie } from '@/lib/auth/cookies';
import { refreshSession, type Refreshed } from '@/lib/auth/session';
import { signSessionToken } from '@/lib/auth/token';
import { isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import { isProtectedPath, loginUrl, safeNext } from '@/lib/routes';
import { unavailablePage } from '@/lib/unavailable';

// A relative Location: behind `next start` a route handler's request.url names the server's own
// hostname, not the one the browser used, and cookies are bound to the latter.
function redirectTo(path: string): NextResponse {
  return new NextResponse(null, { status: 307, headers: { Location: path, 'Cache-Control': 'no-store' } });
}

// The middleware sends a person here when their session token has lapsed but they have a
// "Keep me signed in" refresh cookie. Only their own cookie is used, so a cross-site link to this
// URL can do no more than renew the visitor's own session; without a refresh cookie there is
// nothing to trade, and nothing is touched (such a link must not log anyone out).
export async function GET(request: NextRequest) {
  const next = safeNext(request.nextUrl.searchParams.get('next'), '/');
  const refreshToken = (await cookies()).get(refreshCookieName())?.value;
  if (!refreshToken) return redirectTo(next);
  let refreshed: Refreshed | null;
  try {
    refreshed = await refreshSession(refreshToken);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    // The 503 page right here, cookies untouched: a redirect to /unavailable would come back
    // through the middleware, which would send the expired token here again.
    logUnavailable('refresh', error);
    return unavailablePage(next);
  }

  if (!refreshed) {
    const target = isProtectedPath(next.split(/[?#]/)[0]!) ? loginUrl(next, 'expired') : next;
    const response = redirectTo(target);
    clearAuthCookies(response.cookies);
    return response;
  }

  const response = redirectTo(next);
  const token = await signSessionToken({ sub: String(refreshed.user.id), sid: refreshed.sessionId, username: refreshed.user.username }, 'browser');
  setSessionCookie(response.cookies, token);
  if (refreshed.refreshToken) setRefreshCookie(response.cookies, refreshed.refreshToken);
  return response;
}
