import 'server-only';
import type { ProviderId, SignInMethod } from '@/lib/db/values';
import { PROVIDER_IDS } from '@/lib/db/values';
import { env } from '@/lib/env';
import { siteOrigin } from './site';

// Which sign-in providers this site offers (set by environment only, Auth.js's names), and the
// names people see for them and for the other ways a session starts.

export type Provider = { id: ProviderId; name: string };

export function configuredProviders(): Provider[] {
  const e = env();
  const providers: Provider[] = [];
  if (e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET) providers.push({ id: 'github', name: 'GitHub' });
  if (e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET) providers.push({ id: 'google', name: 'Google' });
  if (e.AUTH_OIDC_ISSUER && e.AUTH_OIDC_ID && e.AUTH_OIDC_SECRET) providers.push({ id: 'oidc', name: e.AUTH_OIDC_NAME });
  return providers;
}

/** The providers the sign-in pages offer: none while the site has no origin of its own (siteOrigin). */
export async function signInProviders(): Promise<Provider[]> {
  return (await siteOrigin()) ? configuredProviders() : [];
}

/** A configured provider by its id (from a form, a URL or a cookie), or undefined. */
export const findProvider = (id: unknown): Provider | undefined => configuredProviders().find((p) => p.id === id);

export const isProviderId = (value: unknown): value is ProviderId => (PROVIDER_IDS as readonly unknown[]).includes(value);

/**
 * Whether "Confirm it's you" can be a sign-in at this provider now: an OpenID Connect provider is
 * asked for one (`prompt=login`, `max_age=0`) and says when it happened (`auth_time`). GitHub has
 * no such request, and Google neither honours `prompt=login` nor promises `auth_time`.
 */
export const canConfirm = (id: ProviderId): boolean => id === 'oidc';

/** A provider's name as people see it; the id's usual name when it is no longer configured. */
export function providerName(id: ProviderId): string {
  return findProvider(id)?.name ?? { github: 'GitHub', google: 'Google', oidc: env().AUTH_OIDC_NAME }[id];
}

/** "with a password", "with GitHub": how a session was started, for the sessions list and the activity. */
export function signInMethodLabel(method: SignInMethod | string | null): string | null {
  switch (method) {
    case 'password':
      return 'with a password';
    case 'passkey':
      return 'with a passkey';
    case 'email_code':
      return 'with an emailed code';
    case 'new_account':
      return 'at sign-up';
    default:
      return isProviderId(method) ? `with ${providerName(method)}` : null;
  }
}
