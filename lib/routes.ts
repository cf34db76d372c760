// Which pages need a session, and where to send people afterwards. Edge-safe: the middleware,
// server actions and route handlers all read this one list.

/** Prefixes of pages that need a session; a prefix covers everything below it. */
export const PROTECTED_PREFIXES = ['/account'] as const;

export const HOME_AFTER_LOGIN = '/account';

export function isProtectedPath(pathname: string): boolean {
  return PROTECTED_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

const NOT_A_DESTINATION = ['/login', '/register', '/auth/'];

/** A path on this site, read the way a browser reads a Location header: never `//host` or `/\\host`. */
function isLocalPath(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return value.startsWith('/') && !value.startsWith('//') && !/[\u0000-\u001f\u007f\\]/.test(value);
}

const BASE = 'http://gatehouse.invalid';

/**
 * A same-site relative path to return to after login, or the fallback. Absolute URLs,
 * protocol-relative `//host`, backslash tricks and control characters are all refused — in what
 * is returned, not only in what was given: resolving dot segments turns `/.//evil.example` into
 * `//evil.example`, so the normalised path is checked again. Every redirect to a user-supplied
 * target goes through here.
 */
export function safeNext(value: unknown, fallback: string = HOME_AFTER_LOGIN): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048 || !isLocalPath(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  const target = `${url.pathname}${url.search}${url.hash}`;
  if (url.origin !== BASE || !isLocalPath(target)) return fallback;
  if (NOT_A_DESTINATION.some((p) => url.pathname === p || url.pathname.startsWith(p.endsWith('/') ? p : `${p}/`))) {
    return fallback;
  }
  return target;
}

/** `/login?next=…&reason=…`: where a person without a (live) session is sent. */
export function loginUrl(next?: string, reason?: LoginReason): string {
  const params = new URLSearchParams();
  if (next) params.set('next', safeNext(next));
  if (reason) params.set('reason', reason);
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}

export type LoginReason = 'expired' | 'invalid' | 'ended' | 'signed-out' | 'verified' | 'second-step';
