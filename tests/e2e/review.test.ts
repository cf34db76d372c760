// The findings of the white-box review of 2026-12 (docs/security.md, "Review of 2026-12-02")
// that need a browser or the real server, each checked as a visitor would meet it. The ones an
// API client meets are in tests/unit (api-attacks, api-limits, api-busy); the open-redirect table
// is in adversarial.test.ts.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Person } from '../support/generators';
import { SiteHeader } from './pages/header';
import { LoginPage } from './pages/login';
import { SecurityPage } from './pages/security';
import { api } from './support/api';
import { visitorPage, workerBrowser } from './support/browser';
import { DEVICE_COOKIE, REFRESH_COOKIE, SESSION_COOKIE, cookieValue, registered } from './support/sessions';
import { baseUrl } from './support/shared-server';

let browser: Browser;
beforeAll(async () => {
  browser = await workerBrowser();
});


/** A browser of its own, logged in as `person` through the form. */
async function signedIn(person: Person, options: { remember?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const page = await visitorPage(browser);
  await new LoginPage(page).logInToAccount(person.username, person.password, options);
  return { context: page.context(), page };
}

describe('tokens of the two kinds', () => {
  it('an API token planted as the session cookie is no session: the page sends the person to log in, and nothing renews it', async () => {
    const person = await registered();
    const token = (await api('POST', '/auth/token', { body: { login: person.username, password: person.password } })).body.access_token;
    const response = await fetch(`${baseUrl()}/account`, { redirect: 'manual', headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toMatch(/^\/login\?next=%2Faccount&reason=invalid$/);
    const setCookies = response.headers.getSetCookie();
    expect(setCookies.some((c) => c.startsWith(`${SESSION_COOKIE}=;`) || /^__Host-gatehouse\.session=;/.test(c) || c.includes('Max-Age=0'))).toBe(true);
    expect(setCookies.some((c) => c.startsWith(`${SESSION_COOKIE}=ey`))).toBe(false);
  });

  it('a browser’s session cookie sent as a bearer token is refused', async () => {
    const { context } = await signedIn(await registered());
    const result = await api('GET', '/me', { token: (await cookieValue(context, SESSION_COOKIE))! });
    expect({ status: result.status, code: result.body.error.code }).toEqual({ status: 401, code: 'invalid_token' });
  });
});

describe('/auth/refresh without a refresh cookie', () => {
  it('goes to `next` and leaves the cookies alone: a link from another site logs nobody out', async () => {
    const { context, page } = await signedIn(await registered());
    const before = await cookieValue(context, SESSION_COOKIE);
    const response = await context.request.get('/auth/refresh?next=/account', { maxRedirects: 0 });
    expect(response.status()).toBe(307);
    expect(response.headers()['location']).toBe('/account');
    expect(response.headers()['set-cookie']).toBeUndefined();
    expect(await cookieValue(context, SESSION_COOKIE)).toBe(before);
    await page.goto('/account');
    expect(new URL(page.url()).pathname).toBe('/account');
  });
});

describe('a password change', () => {
  it('moves this browser’s session to new cookies: a copy of the old ones stops working', async () => {
    const person = await registered();
    const { context, page } = await signedIn(person, { remember: true });
    const [oldSession, oldRefresh] = [await cookieValue(context, SESSION_COOKIE), await cookieValue(context, REFRESH_COOKIE)];

    const security = new SecurityPage(page);
    await security.changePassword(person.password, 'a fresh passphrase now');
    await security.expectPasswordStatus('Your password was changed. You had no other sessions; this one stays signed in.');
    expect(await cookieValue(context, SESSION_COOKIE)).not.toBe(oldSession);
    expect(await cookieValue(context, REFRESH_COOKIE)).not.toBe(oldRefresh);

    // This browser stays signed in; the stolen copies are worth nothing.
    await page.goto('/account');
    expect(new URL(page.url()).pathname).toBe('/account');
    const stolen = await fetch(`${baseUrl()}/api/v1/me`, { headers: { cookie: `${SESSION_COOKIE}=${oldSession}` } });
    expect(stolen.status).toBe(401);
    const refreshed = await fetch(`${baseUrl()}/auth/refresh?next=/account`, { redirect: 'manual', headers: { cookie: `${REFRESH_COOKIE}=${oldRefresh}` } });
    expect(refreshed.headers.get('location')).toBe('/login?next=%2Faccount&reason=expired');
  });
});

describe('device cookies', () => {
  it('a stranger’s burst locks out unknown browsers only: the owner’s own browser still logs in', async () => {
    const person = await registered();
    const { context: owners, page } = await signedIn(person);
    expect(await cookieValue(owners, DEVICE_COOKIE)).toMatch(/^\d+\.[\w-]{22}\.\d+\.[\w-]{43}$/);
    await new SiteHeader(page).logOut();

    const guesses = await Promise.all(Array.from({ length: 12 }, () => api('POST', '/auth/token', { body: { login: person.email, password: 'a stranger guessing' } })));
    expect(guesses.filter((g) => g.status === 429).length).toBeGreaterThanOrEqual(7);

    // A browser that never logged in to the account is locked out, right password or not.
    const stranger = new LoginPage(await visitorPage(browser));
    await stranger.logIn(person.username, person.password);
    await stranger.expectError('Too many attempts. Try again in 15 minutes.');
    // The owner's browser has its own budget.
    await new LoginPage(page).logInToAccount(person.username, person.password);
  });
});
