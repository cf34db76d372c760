// Which pages need a session, and where to send people afterwards. Edge-safe: the middleware,
// server actions and route handlers all read this one list.

/** Prefixes of pages that need a session; a prefix covers everything below it. */
export const PROTECTED_PREFIXES = ['/account'] as const;

export const HOME_AFTER_LOGIN = '/account';

export function isProtectedPath(pathname: string): boolean {
  return PROTECTED_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

const NOT_A_DESTINATION = ['/login', '/register', '/auth/'];

/**
 * A same-site relative path to return to after login, or the fallback. Absolute URLs,
 * protocol-relative `//host`, backslash tricks and control characters are all refused.
 */
export function safeNext(value: unknown, fallback: string = HOME_AFTER_LOGIN): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, 'http://gatehouse.invalid');
  } catch {
    return fallback;
  }
  if (url.origin !== 'http://gatehouse.invalid') return fallback;
  if (NOT_A_DESTINATION.some((p) => url.pathname === p || url.pathname.startsWith(p.endsWith('/') ? p : `${p}/`))) {
    return fallback;
  }
  return `${url.pathname}${url.search}${url.hash}`;
}

/** `/login?next=…&reason=…`: where a person without a (live) session is sent. */
export function loginUrl(next?: string, reason?: LoginReason): string {
  const params = new URLSearchParams();
  if (next) params.set('next', safeNext(next));
  if (reason) params.set('reason', reason);
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}

export type LoginReason = 'expired' | 'invalid' | 'ended' | 'signed-out';
