// Edge runtime: imports only Web-API modules (token, cookies, routes). It verifies the session
// JWT's signature and expiry, renews it while the person is active, and keeps people without a
// valid token out of protected pages. Revocation is checked on the server (lib/auth/dal.ts).
import { NextResponse, type NextRequest } from 'next/server';
import { clearAuthCookies, refreshCookieName, sessionCookieName, setSessionCookie } from '@/lib/auth/cookies';
import { signSessionToken, tokenAgeSeconds, verifySessionToken } from '@/lib/auth/token';
import { isProtectedPath, loginUrl } from '@/lib/routes';

/** Renew the token once it is this old, so an active person's session never runs out. */
const RENEW_AFTER_SECONDS = 5 * 60;

/**
 * Our forms post a few hundred bytes. Past this, answer 413 here: Next's own server-action limit
 * (1 MB) answers with a 500 and an error page instead of a message.
 */
const MAX_FORM_BYTES = 64 * 1024;

function tooLarge(): NextResponse {
  return new NextResponse(
    '<!doctype html><meta charset="utf-8"><title>Too much data</title><h1>That was too much data</h1>' +
      '<p>The form you sent is far larger than any of ours needs. Go back, shorten what you typed, and try again.</p>',
    { status: 413, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
  );
}

export async function middleware(request: NextRequest) {
  // Only page loads are gated and renewed. Server actions (POST) answer for themselves, and a
  // cookie written here could overwrite the one a login or logout action is setting.
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return Number(request.headers.get('content-length') ?? 0) > MAX_FORM_BYTES ? tooLarge() : NextResponse.next();
  }

  const { pathname, search } = request.nextUrl;
  const token = request.cookies.get(sessionCookieName())?.value;
  const verified = token ? await verifySessionToken(token) : null;
  const hasRefresh = Boolean(request.cookies.get(refreshCookieName())?.value);

  if (verified?.ok) {
    const response = NextResponse.next();
    if (tokenAgeSeconds(verified.claims) >= RENEW_AFTER_SECONDS) {
      setSessionCookie(response.cookies, await signSessionToken(verified.claims));
    }
    return response;
  }

  // No usable token but a "Keep me signed in" refresh cookie: trade it in (needs the database,
  // so a Node route handler does it) and come straight back.
  if (hasRefresh && (isProtectedPath(pathname) || token)) {
    const url = new URL('/auth/refresh', request.url);
    url.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(url);
  }

  if (!isProtectedPath(pathname)) {
    if (!token) return NextResponse.next();
    // A bad token on a public page: drop it quietly so the page renders as logged out.
    const response = NextResponse.next();
    clearAuthCookies(response.cookies);
    return response;
  }

  const response = NextResponse.redirect(new URL(loginUrl(`${pathname}${search}`, verified?.reason), request.url));
  if (token) clearAuthCookies(response.cookies);
  return response;
}

export const config = {
  // Pages only: the JSON API authenticates bearer tokens itself, /auth/* are the session route
  // handlers (sending /auth/refresh back to itself would loop), and static files need nothing.
  matcher: ['/((?!api/|auth/|_next/static|_next/image|favicon.ico|robots.txt|.*\\.(?:png|jpg|svg|ico|webp|txt)$).*)'],
};
