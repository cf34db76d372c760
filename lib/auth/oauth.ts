import 'server-only';
import { Auth, customFetch, raw, skipCSRFCheck, type AuthConfig } from '@auth/core';
import GitHub from '@auth/core/providers/github';
import Google from '@auth/core/providers/google';
import type { Provider as AuthProvider } from '@auth/core/providers';
import type { ProviderId } from '@/lib/db/values';
import { env } from '@/lib/env';
import { purposeKey } from './keys-node';

// Auth.js does the one job it is good at here: the dance with a sign-in provider — the redirect
// with PKCE, state and (OpenID Connect) nonce, the code exchanged for tokens, the ID token's
// signature, issuer, audience and nonce checked, the profile read. It keeps no session, no
// adapter and no tokens: its signIn callback hands the verified account to Gatehouse, which
// applies its own linking rules (lib/account/identities.ts) and starts its own session.

/** Where Auth.js's routes live: the provider sends people back to `<origin>/auth/oauth/callback/<id>`. */
export const OAUTH_BASE_PATH = '/auth/oauth';
const TIMEOUT_MS = 10_000;

/** What a provider said about the person, once Auth.js has checked it. */
export type ProviderAccount = {
  provider: ProviderId;
  /** The provider's stable id for the account (OIDC `sub`, GitHub's numeric id). */
  subject: string;
  email: string | null;
  /** Only a provider that says so: OIDC `email_verified: true`, GitHub's primary verified address. */
  emailVerified: boolean;
  /** When the person last signed in at the provider (OIDC `auth_time`, seconds), when it said. */
  authTime: number | null;
  /** Suggestions for the "finish creating your account" page. */
  suggested: { username?: string; firstName?: string; lastName?: string };
};

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Every request Auth.js makes to a provider (discovery, token, user info): https only, http only
 * on this machine — Auth.js itself accepts any http:// address — and never longer than 10 s.
 */
function providerFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.includes(url.hostname))) {
    return Promise.reject(new TypeError(`refused to call a provider over ${url.protocol} at ${url.host}`));
  }
  return fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/**
 * The providers, configured from the environment. `fresh`: ask the person to sign in at the
 * provider again, even with a session there ("Confirm it's you"): `prompt=login` and `max_age=0`,
 * which makes the ID token carry `auth_time` (only the OpenID Connect provider is asked:
 * providers.ts `canConfirm`).
 */
function providers(fresh = false): AuthProvider[] {
  const e = env();
  const list: AuthProvider[] = [];
  if (e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET) {
    list.push(
      GitHub({
        clientId: e.AUTH_GITHUB_ID,
        clientSecret: e.AUTH_GITHUB_SECRET,
        ...(e.AUTH_GITHUB_ENTERPRISE_URL ? { enterprise: { baseUrl: e.AUTH_GITHUB_ENTERPRISE_URL } } : {}),
        checks: ['pkce', 'state'],
        [customFetch]: providerFetch,
        // GitHub's profile has no email_verified, and the stock provider takes the public profile
        // address, verified or not. Read /user/emails and keep only the primary verified address.
        userinfo: {
          async request({ tokens, provider }: { tokens: { access_token?: string }; provider: { userinfo?: { url?: URL | string } } }) {
            const headers = { Authorization: `Bearer ${tokens.access_token}`, 'User-Agent': 'Gatehouse', Accept: 'application/vnd.github+json' };
            const user = new URL(String(provider.userinfo?.url));
            const profile = await providerFetch(user, { headers });
            if (!profile.ok) throw new Error(`GitHub's user API answered ${profile.status}`);
            const emails = await providerFetch(new URL(`${user.href}/emails`), { headers });
            const list: unknown = emails.ok ? await emails.json() : [];
            const primary = Array.isArray(list) ? list.find((entry) => entry?.primary === true && entry?.verified === true) : undefined;
            return { ...(await profile.json()), email: text(primary?.email) ?? null, email_verified: Boolean(primary) };
          },
        },
      }),
    );
  }
  if (e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET) {
    list.push(Google({ clientId: e.AUTH_GOOGLE_ID, clientSecret: e.AUTH_GOOGLE_SECRET, checks: ['pkce', 'state', 'nonce'], [customFetch]: providerFetch }));
  }
  if (e.AUTH_OIDC_ISSUER && e.AUTH_OIDC_ID && e.AUTH_OIDC_SECRET) {
    list.push({
      id: 'oidc',
      name: e.AUTH_OIDC_NAME,
      type: 'oidc',
      issuer: e.AUTH_OIDC_ISSUER,
      clientId: e.AUTH_OIDC_ID,
      clientSecret: e.AUTH_OIDC_SECRET,
      checks: ['pkce', 'state', 'nonce'],
      ...(fresh ? { authorization: { params: { prompt: 'login', max_age: 0 } } } : {}),
      [customFetch]: providerFetch,
    });
  }
  return list;
}

function accountFrom(provider: ProviderId, subject: string, profile: Record<string, unknown>): ProviderAccount {
  return {
    provider,
    subject,
    email: text(profile.email) ?? null,
    // Strictly true: absent, false or anything else is "not verified".
    emailVerified: profile.email_verified === true,
    authTime: typeof profile.auth_time === 'number' ? profile.auth_time : null,
    suggested: {
      username: text(profile.preferred_username) ?? text(profile.login),
      firstName: text(profile.given_name),
      lastName: text(profile.family_name),
    },
  };
}

/** One request's configuration: what the signIn callback receives goes to `received`. */
function config(received: (account: ProviderAccount) => void, fresh = false): AuthConfig {
  return {
    basePath: OAUTH_BASE_PATH,
    secret: purposeKey('authjs').toString('base64url'),
    trustHost: true,
    providers: providers(fresh),
    pages: { signIn: '/login', error: '/login' },
    callbacks: {
      // Returning a path ends Auth.js's part: it redirects, and never makes a session of its own.
      signIn({ account, profile }) {
        if (account && profile && (account.type === 'oidc' || account.type === 'oauth')) {
          received(accountFrom(account.provider as ProviderId, account.providerAccountId, profile as Record<string, unknown>));
        }
        return '/';
      },
      jwt: () => null,
    },
    logger: {
      // The operator's line: a refused return (state, nonce, issuer…) says why here, not to the person.
      error: (error) => {
        const cause = (error as { cause?: { err?: Error } }).cause?.err;
        console.warn(`[security] a provider sign-in was refused: ${(error as { type?: string }).type ?? error.name}${cause ? `: ${cause.message}` : ''}`);
      },
      warn: () => {},
      debug: () => {},
    },
  };
}

/**
 * Auth.js's cookies that hold a flow's checks (PKCE verifier, state, nonce): the only ones passed
 * on. Its CSRF and callback-URL cookies belong to flows Gatehouse doesn't use.
 */
const CHECK_COOKIE_NAMES = ['pkce.code_verifier', 'state', 'nonce'];

export type AuthCookie = { name: string; value: string; options: Record<string, unknown> };

/**
 * The first half: the provider's sign-in address (with state, nonce and the PKCE challenge) and
 * Auth.js's cookies that hold their checks until the person comes back. Null when the provider
 * can't be reached (its discovery document, for OpenID Connect).
 */
export async function providerSignInStart(provider: ProviderId, origin: URL, fresh = false): Promise<{ url: string; cookies: AuthCookie[] } | null> {
  const request = new Request(new URL(`${OAUTH_BASE_PATH}/signin/${provider}`, origin), { method: 'POST' });
  // The CSRF check is Gatehouse's own (the start route's same-origin check).
  const started = await Auth(request, { ...config(() => {}, fresh), raw, skipCSRFCheck });
  const url = started.redirect ? new URL(started.redirect, origin) : null;
  if (!url || url.origin === origin.origin) return null;
  const checks = ((started.cookies ?? []) as AuthCookie[]).filter((cookie) => CHECK_COOKIE_NAMES.some((name) => cookie.name.endsWith(`authjs.${name}`)));
  return { url: url.href, cookies: checks };
}

/**
 * The second half, on the provider's return: the account Auth.js checked, or null when it refused
 * the return. (Its answer, a redirect and cookies, is not passed on: expireCheckCookies is.)
 */
export async function providerSignInReturn(request: Request, origin: URL): Promise<ProviderAccount | null> {
  const url = new URL(request.url);
  let account: ProviderAccount | null = null;
  await Auth(new Request(new URL(`${url.pathname}${url.search}`, origin), { headers: { Cookie: request.headers.get('cookie') ?? '' } }), config((a) => (account = a)));
  return account;
}

/**
 * Set-Cookie headers that expire Auth.js's check cookies: on every return, whatever became of it
 * (Auth.js expires them only on success).
 */
export function expireCheckCookies(origin: URL): string[] {
  const secure = origin.protocol === 'https:';
  return CHECK_COOKIE_NAMES.map(
    (name) => `${secure ? '__Secure-' : ''}authjs.${name}=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
  );
}
