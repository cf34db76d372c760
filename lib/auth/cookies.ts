// Cookie names and attributes, shared by Auth.js, the middleware and the route handlers: every
// layer must agree on the name, and `__Host-` cookies can only be set or cleared with Secure.

import { authUrl, isProduction } from '@/lib/env-edge';

/** Secure cookies when the site's URL is https, or in production when AUTH_URL is not set. */
export function secureCookies(): boolean {
  const url = authUrl();
  if (url) return url.startsWith('https:');
  return isProduction();
}

const prefix = () => (secureCookies() ? '__Host-' : '');
export const sessionCookieName = () => `${prefix()}gatehouse.session`;
export const refreshCookieName = () => `${prefix()}gatehouse.refresh`;
export const deviceCookieName = () => `${prefix()}gatehouse.device`;
export const pendingSignupCookieName = () => `${prefix()}gatehouse.pending`;
export const secondStepCookieName = () => `${prefix()}gatehouse.second-step`;
export const providerIntentCookieName = () => `${prefix()}gatehouse.provider`;
export const newIdentityCookieName = () => `${prefix()}gatehouse.new-identity`;

export type CookieOptions = {
  httpOnly: true;
  sameSite: 'lax';
  path: '/';
  secure: boolean;
  maxAge?: number;
};

/** No maxAge: a browser-session cookie. Persistence is the refresh cookie's job. */
export function sessionCookieOptions(): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies() };
}

function refreshCookieOptions(maxAgeSeconds: number): CookieOptions {
  return { ...sessionCookieOptions(), maxAge: maxAgeSeconds };
}

export function expiredCookieOptions(): CookieOptions {
  return { ...sessionCookieOptions(), maxAge: 0 };
}

/** Anything with Next's cookie `set` (the `cookies()` store or a NextResponse's cookies). */
export type CookieJar = { set(name: string, value: string, options: CookieOptions): unknown };

/** Refresh cookies live as long as the idle limit of a remembered session. */
export const REFRESH_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export function setSessionCookie(jar: CookieJar, token: string): void {
  jar.set(sessionCookieName(), token, sessionCookieOptions());
}

export function setRefreshCookie(jar: CookieJar, token: string): void {
  jar.set(refreshCookieName(), token, refreshCookieOptions(REFRESH_COOKIE_MAX_AGE_SECONDS));
}

/** Device cookies outlive sessions on purpose: logging out doesn't make a browser a stranger. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

export function setDeviceCookie(jar: CookieJar, value: string): void {
  jar.set(deviceCookieName(), value, refreshCookieOptions(DEVICE_COOKIE_MAX_AGE_SECONDS));
}

/** A sign-up waiting for its address to be verified (lib/auth/pending-signup.ts): a day, like its link. */
export const PENDING_SIGNUP_MAX_AGE_SECONDS = 24 * 60 * 60;

export function setPendingSignupCookie(jar: CookieJar, value: string | null): void {
  jar.set(pendingSignupCookieName(), value ?? '', value ? refreshCookieOptions(PENDING_SIGNUP_MAX_AGE_SECONDS) : expiredCookieOptions());
}

/**
 * The second step's challenge token (lib/auth/sign-in.ts) in the browser that passed the first:
 * as long as the challenge lives, never in a URL.
 */
export function setSecondStepCookie(jar: CookieJar, token: string | null, maxAgeSeconds = 0): void {
  jar.set(secondStepCookieName(), token ?? '', token ? refreshCookieOptions(maxAgeSeconds) : expiredCookieOptions());
}

/** A sign-in with a provider under way, and a new account waiting for its last fields: 10 minutes each. */
export const PROVIDER_FLOW_MAX_AGE_SECONDS = 10 * 60;

export function setProviderFlowCookie(jar: CookieJar, name: string, value: string | null): void {
  jar.set(name, value ?? '', value ? refreshCookieOptions(PROVIDER_FLOW_MAX_AGE_SECONDS) : expiredCookieOptions());
}

export function clearAuthCookies(jar: CookieJar): void {
  jar.set(sessionCookieName(), '', expiredCookieOptions());
  jar.set(refreshCookieName(), '', expiredCookieOptions());
}
