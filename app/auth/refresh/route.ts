import { cookies } from 'next/headers';
import { NextResponse, type NextRequest } from 'next/server';
import { clearAuthCookies, refreshCookieName, setRefreshCookie, setSessionCookie } from '@/lib/auth/cookies';
import { refreshSession } from '@/lib/auth/session';
import { signSessionToken } from '@/lib/auth/token';
import { isProtectedPath, loginUrl, safeNext } from '@/lib/routes';

// The middleware sends a person here when their session token has lapsed but they have a
// "Keep me signed in" refresh cookie. Only their own cookie is used, so a cross-site link to this
// URL can do no more than renew the visitor's own session.
export async function GET(request: NextRequest) {
  const next = safeNext(request.nextUrl.searchParams.get('next'), '/');
  const jar = await cookies();
  const refreshToken = jar.get(refreshCookieName())?.value;
  const refreshed = refreshToken ? refreshSession(refreshToken) : null;

  if (!refreshed) {
    const target = isProtectedPath(new URL(next, request.url).pathname) ? loginUrl(next, 'expired') : next;
    const response = NextResponse.redirect(new URL(target, request.url));
    clearAuthCookies(response.cookies);
    return response;
  }

  const response = NextResponse.redirect(new URL(next, request.url));
  const token = await signSessionToken({
    sub: String(refreshed.user.id),
    sid: refreshed.sessionId,
    username: refreshed.user.username,
  });
  setSessionCookie(response.cookies, token);
  if (refreshed.refreshToken) setRefreshCookie(response.cookies, refreshed.refreshToken);
  response.headers.set('Cache-Control', 'no-store');
  return response;
}
