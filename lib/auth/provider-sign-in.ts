import 'server-only';
import { serialize } from 'hono/utils/cookie';
import { completeProviderSignIn } from '@/lib/account/identities';
import { isDatabaseUnavailable, logUnavailable } from '@/lib/db/client';
import type { ProviderId } from '@/lib/db/values';
import { inRequestScope, runAfterAnswer, setCookieHeader, type RequestScope } from '@/lib/request-scope';
import { loginUrl, safeNext } from '@/lib/routes';
import { isSameOrigin } from '@/lib/security/origin';
import { crossOriginPage } from '@/lib/security/refusal-pages';
import { unavailablePage } from '@/lib/unavailable';
import { getCurrentSession } from './dal';
import { expireCheckCookies, providerSignInReturn, providerSignInStart, type AuthCookie } from './oauth';
import { providerIntent, rememberProviderIntent, type ProviderIntent } from './provider-flow';
import { canConfirm, findProvider } from './providers';
import { siteOrigin } from './site';
import { recentlyAuthenticated } from './step-up';

// The two routes of a provider sign-in, around Auth.js (lib/auth/oauth.ts): the start, a form post
// from this site that sends the browser to the provider, and the return, where the provider sends
// it back. Gatehouse's cookies (the intent, then a session or a challenge) are written by the
// use-cases into this request's scope and put on the answer here, before Auth.js's own.

const MODES: readonly ProviderIntent['mode'][] = ['login', 'connect', 'reauth'];

/** A 303 (a form post becomes a GET), never stored; the code and state in the return's URL go no further. */
function seeOther(location: string, scope: RequestScope, authCookies: string[] = []): Response {
  const headers = new Headers({ Location: location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
  for (const write of scope.cookieWrites) headers.append('Set-Cookie', setCookieHeader(write));
  for (const cookie of authCookies) headers.append('Set-Cookie', cookie);
  runAfterAnswer(scope);
  return new Response(null, { status: 303, headers });
}

function authCookieHeader({ name, value, options }: AuthCookie): string {
  const o = options as { httpOnly?: boolean; secure?: boolean; path?: string; maxAge?: number; expires?: Date };
  return serialize(name, value, { httpOnly: o.httpOnly, secure: o.secure, path: o.path ?? '/', sameSite: 'Lax', maxAge: o.maxAge, expires: o.expires });
}

/** Where a refused or failed provider sign-in ends: the page it started from, saying so. */
function failed(mode: ProviderIntent['mode'], provider: ProviderId, problem = 'failed'): string {
  if (mode === 'login') return `/login?${new URLSearchParams({ reason: `provider-${problem}`, provider })}`;
  return `/account/security?${new URLSearchParams({ provider, problem })}#connected-accounts-heading`;
}

async function answering(request: Request, next: string, serve: (scope: RequestScope) => Promise<Response>): Promise<Response> {
  try {
    return await inRequestScope(request, serve);
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    logUnavailable('provider sign-in', error);
    return unavailablePage(next);
  }
}

/** POST /auth/oauth/start: "Continue with …", "Connect", or "Confirm it's you" with a provider. */
export async function startProviderSignIn(request: Request): Promise<Response> {
  // Outside the middleware (/auth/*): the same refusal of cross-site posts.
  if (!isSameOrigin(request.headers)) return crossOriginPage();
  const form = await request.formData().catch(() => null);
  const provider = findProvider(form?.get('provider'));
  const mode = MODES.find((m) => m === (form?.get('mode') ?? 'login'));
  if (!provider || !mode) return new Response('Unknown sign-in provider.', { status: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  return answering(request, '/login', async (scope) => {
    const origin = await siteOrigin();
    if (!origin) return seeOther(failed(mode, provider.id, 'unavailable'), scope);
    // Confirming needs a sign-in at the provider now, which only an OpenID Connect provider can be asked for.
    if (mode === 'reauth' && !canConfirm(provider.id)) return seeOther(failed(mode, provider.id), scope);
    let sessionId: string | null = null;
    if (mode !== 'login') {
      const session = await getCurrentSession();
      if (!session) return seeOther(loginUrl('/account/security', 'ended'), scope);
      // Connecting adds a way in: like adding a passkey, it needs a recent authentication.
      if (mode === 'connect' && !(await recentlyAuthenticated(session))) return seeOther(failed(mode, provider.id, 'confirm'), scope);
      sessionId = session.sessionId;
    }
    const started = await providerSignInStart(provider.id, origin, mode === 'reauth').catch((error: unknown) => {
      console.warn(`[security] ${provider.name} sign-in could not start: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    });
    if (!started) return seeOther(failed(mode, provider.id, 'unreachable'), scope);
    const next = mode === 'login' ? safeNext(form?.get('next')) : '/account/security';
    const startedAt = Math.floor(Date.now() / 1000);
    const state = new URL(started.url).searchParams.get('state') ?? '';
    await rememberProviderIntent({ mode, provider: provider.id, next, remember: form?.get('remember') === 'on', sessionId, startedAt, state });
    return seeOther(started.url, scope, started.cookies.map(authCookieHeader));
  });
}

/** GET /auth/oauth/callback/<provider>: the provider sent the person back. */
export async function returnFromProvider(request: Request, providerId: string): Promise<Response> {
  const provider = findProvider(providerId);
  if (!provider) return new Response('Not found', { status: 404 });
  return answering(request, '/login', async (scope) => {
    const origin = await siteOrigin();
    const intent = await providerIntent();
    await rememberProviderIntent(null);
    const expired = origin ? expireCheckCookies(origin) : [];
    // Not started in this browser (or over 10 minutes ago): nothing to continue, nothing exchanged.
    if (!origin || !intent || intent.provider !== provider.id) return seeOther(failed('login', provider.id, 'expired'), scope, expired);
    const account = await providerSignInReturn(request, origin);
    // Auth.js checked the state against its cookie; this checks it against the intent's flow.
    const sameFlow = intent.state !== '' && new URL(request.url).searchParams.get('state') === intent.state;
    const destination = account && sameFlow ? await completeProviderSignIn(account, intent) : failed(intent.mode, provider.id);
    return seeOther(destination, scope, expired);
  });
}
