import 'server-only';
import { authUrl, isProduction } from '@/lib/env-edge';
import { requestHeaders } from '@/lib/request-scope';

/**
 * The site's own origin for what is bound to it — passkeys, and the address sign-in providers send
 * people back to: AUTH_URL's; in development, when AUTH_URL isn't set, the host the request came
 * to. Null in production without AUTH_URL: neither may come from a request's Host header.
 */
export async function siteOrigin(): Promise<URL | null> {
  const configured = authUrl();
  if (configured) return new URL(new URL(configured).origin);
  if (isProduction()) return null;
  const host = (await requestHeaders()).get('host');
  return host ? new URL(`http://${host}`) : null;
}
