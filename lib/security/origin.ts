// Edge-safe: used by the middleware (server actions) and the API (cookie-authenticated changes).
import { authUrl } from '@/lib/env-edge';

/**
 * Whether a state-changing request comes from this site: its Origin must be the site's own —
 * AUTH_URL's when set, else the origin the request was addressed to (its Host). A missing or
 * "null" Origin is not this site.
 */
export function isSameOrigin(headers: Headers): boolean {
  const origin = headers.get('origin');
  if (!origin || origin === 'null') return false;
  try {
    const configured = authUrl();
    if (configured) return new URL(origin).origin === new URL(configured).origin;
    const host = headers.get('host');
    return host !== null && new URL(origin).host === host;
  } catch {
    return false;
  }
}
