// The gate in front of every page, on the Edge runtime (nothing it imports touches the database or
// Node APIs; a unit test walks its imports). It verifies the session JWT's signature and expiry,
// renews it while the person is active, and keeps people without a valid token out of protected
// pages. Revocation is checked on the server (lib/auth/dal.ts).
import { NextResponse, type NextRequest } from 'next/server';
import { clearAuthCookies, refreshCookieName, secureCookies, sessionCookieName, setSessionCookie } from '@/lib/auth/cookies';
import { RENEW_AFTER_SECONDS, signSessionToken, tokenAgeSeconds, verifySessionTokenOnEdge } from '@/lib/auth/token';
import { isProtectedPath, loginUrl } from '@/lib/routes';
import { HSTS, contentSecurityPolicy, newNonce } from '@/lib/security/headers';
import { isSameOrigin } from '@/lib/security/origin';
import { crossOriginPage } from '@/lib/security/refusal-pages';

/**
 * Lets the page render with a fresh CSP nonce: Next reads the policy from the request headers and
 * puts the nonce on its own inline scripts; the browser gets the same policy.
 */
function withCsp(request: NextRequest): NextResponse {
  const policy = contentSecurityPolicy(newNonce());
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export async function middleware(request: NextRequest) {
  const response = await gate(request);
  if (secureCookies()) response.headers.set('Strict-Transport-Security', HSTS);
  return response;
}

async function gate(request: NextRequest): Promise<Response> {
  // Only page loads are gated and renewed. Server actions (POST) answer for themselves, and a
  // cookie written here could overwrite the one a login or logout action is setting.
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    // Next refuses a cross-origin server action too, but with a 500; this answers 403 first. (The
    // size of what is posted is npm start's to check, on the bytes it reads: scripts/server.mjs.)
    return isSameOrigin(request.headers) ? NextResponse.next() : crossOriginPage();
  }

  const { pathname, search } = request.nextUrl;
  const token = request.cookies.get(sessionCookieName())?.value;
  const verified = token ? await verifySessionTokenOnEdge(token, 'browser') : null;
  const hasRefresh = Boolean(request.cookies.get(refreshCookieName())?.value);

  if (verified?.ok) {
    const response = withCsp(request);
    if (tokenAgeSeconds(verified.claims) >= RENEW_AFTER_SECONDS) {
      setSessionCookie(response.cookies, await signSessionToken(verified.claims, 'browser'));
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
    if (!token) return withCsp(request);
    // A bad token on a public page: drop it quietly so the page renders as logged out.
    const response = withCsp(request);
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
