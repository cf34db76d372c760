import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { expect } from 'vitest';
import { signSessionToken, type SessionIdentity } from '@/lib/auth/token';
import { claimsOf } from '../../support/api';
import { newPerson, registration, type Person } from '../../support/generators';
import { api, apiCall } from './api';
import { newContext } from './browser';
import { authSecret, baseUrl } from './shared-server';

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

/** Someone registered through the API (the form has its own tests), on the shared server unless `serverUrl` says otherwise. */
export async function registered(serverUrl = baseUrl()): Promise<Person> {
  const person = newPerson();
  expect((await apiCall(serverUrl, 'POST', '/auth/register', { body: registration(person) })).status).toBe(201);
  return person;
}

/**
 * A new person in a browser context of their own, already signed in: registered and logged in
 * through the API, with the session cookie the login form sets for that session. For tests of
 * what a signed-in person does; registering and logging in themselves are tested through their
 * forms.
 */
export async function signedIn(
  browser: Browser,
  options: BrowserContextOptions = {},
  overrides: Partial<Person> = {},
): Promise<{ context: BrowserContext; page: Page; person: Person }> {
  const person = newPerson(overrides);
  expect((await api('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
  const login = await api('POST', '/auth/token', { body: { login: person.username, password: person.password } });
  expect(login.status).toBe(200);
  const { sub, sid, username } = claimsOf(login.body.access_token);
  const context = await newContext(browser, options);
  await putCookie(context, SESSION_COOKIE, await browserToken({ sub, sid, username }));
  return { context, page: await context.newPage(), person };
}
