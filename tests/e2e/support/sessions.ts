import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import { signSessionToken, type SessionIdentity } from '@/lib/auth/token';
import { claimsOf } from '../../support/api';
import { newPerson, type Person } from '../../support/generators';
import { signUp } from '../../support/sign-up';
import { apiCall } from './api';
import { visitorPage } from './browser';
import { authSecret, baseUrl, dataDir } from './shared-server';

// Sessions in a browser on the shared server. It runs as production on http://127.0.0.1, so its
// cookies are Secure and __Host- prefixed.
export const SESSION_COOKIE = '__Host-gatehouse.session';
export const REFRESH_COOKIE = '__Host-gatehouse.refresh';
export const DEVICE_COOKIE = '__Host-gatehouse.device';

export async function cookieValue(context: BrowserContext, name: string): Promise<string | undefined> {
  return (await context.cookies()).find((c) => c.name === name)?.value;
}

/** Puts a cookie in the browser as the server would have set it. */
export async function putCookie(context: BrowserContext, name: string, value: string): Promise<void> {
  const { hostname } = new URL(baseUrl());
  await context.addCookies([{ name, value, domain: hostname, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' }]);
}

/** A browser's session token for `identity`, signed with the shared server's secret as if at `issuedAt`. */
export async function browserToken(identity: SessionIdentity, issuedAt = Date.now()): Promise<string> {
  process.env.AUTH_SECRET = authSecret();
  return signSessionToken(identity, 'browser', issuedAt);
}

/**
 * Someone registered through the API with their address verified (the forms have their own
 * tests), on the shared server unless `serverUrl` and its `serverDataDir` say otherwise; `token`
 * is the session the verification started.
 */
async function verifiedAccount(serverUrl: string, serverDataDir: string, overrides: Partial<Person>): Promise<{ person: Person; token: string }> {
  const person = newPerson(overrides);
  const { token } = await signUp((method, path, options) => apiCall(serverUrl, method, path, options), person, serverDataDir);
  return { person, token };
}

/** The same, with no session left: as if they had signed up and logged out. */
export async function registered(serverUrl = baseUrl(), serverDataDir = dataDir(), overrides: Partial<Person> = {}): Promise<Person> {
  const { person, token } = await verifiedAccount(serverUrl, serverDataDir, overrides);
  expect((await apiCall(serverUrl, 'POST', '/auth/logout', { token })).status).toBe(204);
  return person;
}

/**
 * A new person in a browser context of their own, already signed in: registered and verified
 * through the API, with the session cookie a browser gets for that session. For tests of
 * what a signed-in person does; registering and logging in themselves are tested through their
 * forms.
 */
export async function signedIn(
  browser: Browser,
  options: BrowserContextOptions = {},
  overrides: Partial<Person> = {},
): Promise<{ context: BrowserContext; page: Page; person: Person }> {
  // The session the verification started is theirs: one session, as after the form's sign-up.
  const { person, token } = await verifiedAccount(baseUrl(), dataDir(), overrides);
  const { sub, sid, username } = claimsOf(token);
  const page = await visitorPage(browser, options);
  await putCookie(page.context(), SESSION_COOKIE, await browserToken({ sub, sid, username }));
  return { context: page.context(), page, person };
}
