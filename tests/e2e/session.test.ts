import { base64url } from 'jose';
import type { Browser, BrowserContext } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { signSessionToken } from '@/lib/auth/token';
import { claimsOf } from '../support/api';
import type { Person } from '../support/generators';
import { AccountPage } from './pages/account';
import { SiteHeader } from './pages/header';
import { LoginPage } from './pages/login';
import { api } from './support/api';
import { launchProfile, tempProfileDir, visitorPage, workerBrowser } from './support/browser';
import { textOf } from './support/page-text';
import { REFRESH_COOKIE, SESSION_COOKIE, browserToken, putCookie, registered } from './support/sessions';
import { baseUrl } from './support/shared-server';

let browser: Browser;
let person: Person;
beforeAll(async () => {
  browser = await workerBrowser();
  // Registering is tested through its form in register.test.ts; here it is the API's.
  person = await registered();
});

async function cookie(context: BrowserContext, name: string) {
  return (await context.cookies()).find((c) => c.name === name);
}

const claimsIn = async (context: BrowserContext) => claimsOf((await cookie(context, SESSION_COOKIE))!.value);

/** A browser of its own, logged in as `person` through the form. */
async function loggedIn(options: { remember?: boolean } = {}) {
  const page = await visitorPage(browser);
  await new LoginPage(page).logInToAccount(person.username, person.password, options);
  return { context: page.context(), page };
}

describe('logging in', () => {
  it('works with the username in any case and with the email', async () => {
    const p = await visitorPage(browser);
    const login = new LoginPage(p);
    await login.logInToAccount(person.username.toUpperCase(), person.password);
    await new SiteHeader(p).logOut();
    await login.logInToAccount(person.email, person.password);
    expect(await new AccountPage(p).field('Username')).toBe(person.username);
  });

  it('gives one message for a wrong password and for an unknown account', async () => {
    const p = await visitorPage(browser);
    const login = new LoginPage(p);
    await login.logIn(person.username, 'not the password');
    await login.expectError('That email or username and password don’t match an account.');
    const wrongPassword = await login.error();
    await login.logIn('nobody-by-this-name', 'not the password');
    await login.expectError(wrongPassword);
    expect(await p.inputValue('#login')).toBe('nobody-by-this-name');
    expect(await p.inputValue('#password')).toBe('');
  });

  it('says so when the account is locked, even for the right password (the limit itself: unit/api-limits.test.ts)', async () => {
    const locked = await registered();
    for (let i = 0; i < 5; i += 1) {
      expect((await api('POST', '/auth/token', { body: { login: locked.username, password: `wrong ${i}` } })).status).toBe(401);
    }
    const login = new LoginPage(await visitorPage(browser));
    await login.logIn(locked.username, locked.password);
    await login.expectError('Too many attempts. Try again in 15 minutes.');
  });

  it('issues a signed HS256 JWT in an HttpOnly, Secure, SameSite=Lax browser-session cookie', async () => {
    const { context } = await loggedIn();
    const session = await cookie(context, SESSION_COOKIE);
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/', expires: -1 });
    const [header, payload, signature] = session!.value.split('.');
    expect(signature).toMatch(/^[\w-]{43}$/);
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(header!)))).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
    expect(claims).toMatchObject({ username: person.username, iss: 'gatehouse', aud: 'gatehouse/browser' });
    expect(typeof claims.sub).toBe('string');
    expect(typeof claims.sid).toBe('string');
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(3600);
    expect(await cookie(context, REFRESH_COOKIE)).toBeUndefined();
  });
});

describe('protected pages', () => {
  it('send a visitor to log in, then back where they were going', async () => {
    const p = await visitorPage(browser);
    await p.goto('/account?tab=profile');
    await p.waitForURL(/\/login\?next=/);
    expect(new URL(p.url()).searchParams.get('next')).toBe('/account?tab=profile');
    await new LoginPage(p).send(person.username, person.password);
    await p.waitForURL('**/account?tab=profile');
    expect(await textOf(p, 'h1')).toBe('Your account');
  });

  it('never follow `next` off the site', async () => {
    const p = await visitorPage(browser);
    await new LoginPage(p).logIn(person.username, person.password, { path: '/login?next=https://evil.example/phish' });
    await p.waitForURL(`${baseUrl()}/account`);
    const q = await visitorPage(browser);
    await new LoginPage(q).logIn(person.username, person.password, { path: '/login?next=//evil.example' });
    await q.waitForURL(`${baseUrl()}/account`);
  });

  it('show the visitor’s state on the public home page', async () => {
    const p = await visitorPage(browser);
    await p.goto('/');
    expect(await textOf(p, '#visitor-state')).toContain('not logged in');
    await new LoginPage(p).logInToAccount(person.username, person.password);
    await p.goto('/');
    expect(await textOf(p, '#visitor-state')).toBe(`You’re logged in as ${person.username}.`);
  });
});

describe('logging out', () => {
  it('is a button in the header, and afterwards the account is out of reach', async () => {
    const { context, page: p } = await loggedIn();
    const header = new SiteHeader(p);
    await header.logOut();
    expect(await textOf(p, '#login-reason')).toBe('You have been logged out.');
    expect(await cookie(context, SESSION_COOKIE)).toBeUndefined();
    expect(await header.logOutButtons()).toBe(0);

    await p.goto('/account');
    await p.waitForURL(/\/login\?next=%2Faccount$/);
  });

  it('refuses the old cookie replayed after logout', async () => {
    const { context, page: p } = await loggedIn();
    const old = (await cookie(context, SESSION_COOKIE))!.value;
    await new SiteHeader(p).logOut();

    const q = await visitorPage(browser);
    await putCookie(q.context(), SESSION_COOKIE, old);
    await q.goto('/account');
    await new LoginPage(q).expectSentHere('Your session has ended. Please log in again.');
    await q.goto('/');
    expect(await textOf(q, '#visitor-state')).toContain('not logged in');
  });
});

describe('a bad session cookie', () => {
  it('that was tampered with: "invalid", and the cookie is dropped', async () => {
    const { context, page: p } = await loggedIn();
    // Off the account page first: a prefetch of its links, sent with the forged cookie, would have
    // the cookie dropped before the visit below could be sent to log in "invalid".
    await p.goto('about:blank');
    const [header, , signature] = (await cookie(context, SESSION_COOKIE))!.value.split('.') as [string, string, string];
    const forged = base64url.encode(JSON.stringify({ ...(await claimsIn(context)), username: 'admin', sub: '1' }));
    await putCookie(context, SESSION_COOKIE, `${header}.${forged}.${signature}`);
    await p.goto('/account');
    await new LoginPage(p).expectSentHere('Your session is invalid. Please log in again.');
    expect(await cookie(context, SESSION_COOKIE)).toBeUndefined();
  });

  it('that has expired: "expired", and logging in again brings them back', async () => {
    const { context, page: p } = await loggedIn();
    const { sub, sid } = await claimsIn(context);
    await p.goto('about:blank');
    await putCookie(context, SESSION_COOKIE, await browserToken({ sub, sid, username: person.username }, Date.now() - 2 * 3600 * 1000));
    await p.goto('/account');
    const login = new LoginPage(p);
    await login.expectSentHere('Your session expired. Please log in again.');
    await login.send(person.username, person.password);
    await p.waitForURL('**/account');
  });

  it('signed with another secret: "invalid"', async () => {
    const p = await visitorPage(browser);
    process.env.AUTH_SECRET = 'some-other-secret-that-is-32-bytes-or-more';
    await putCookie(p.context(), SESSION_COOKIE, await signSessionToken({ sub: '1', sid: 'x', username: 'ada' }, 'browser'));
    await p.goto('/account');
    await new LoginPage(p).expectSentHere('Your session is invalid. Please log in again.');
  });
});

describe('"Keep me signed in"', () => {
  it('keeps the login across a browser restart; without it the restart logs out', async () => {
    const remembered = tempProfileDir();
    let context = await launchProfile(remembered);
    let p = context.pages()[0] ?? (await context.newPage());
    await new LoginPage(p).logInToAccount(person.username, person.password, { remember: true });
    expect((await cookie(context, REFRESH_COOKIE))?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    await context.close();

    context = await launchProfile(remembered);
    p = context.pages()[0] ?? (await context.newPage());
    await p.goto('/account');
    expect(new URL(p.url()).pathname).toBe('/account');
    expect(await new AccountPage(p).field('Username')).toBe(person.username);
    await context.close();

    const forgetful = tempProfileDir();
    context = await launchProfile(forgetful);
    p = context.pages()[0] ?? (await context.newPage());
    await new LoginPage(p).logInToAccount(person.username, person.password);
    await context.close();
    context = await launchProfile(forgetful);
    p = context.pages()[0] ?? (await context.newPage());
    await p.goto('/account');
    await p.waitForURL(/\/login\?next=%2Faccount$/);
    await context.close();
    // Four browser starts: more than the usual minute on a busy machine.
  }, 180_000);

  it('renews an expired session token silently from the refresh cookie', async () => {
    const { context, page: p } = await loggedIn({ remember: true });
    const before = (await cookie(context, REFRESH_COOKIE))!.value;
    const { sub, sid } = await claimsIn(context);
    await p.goto('about:blank');
    await putCookie(context, SESSION_COOKIE, await browserToken({ sub, sid, username: person.username }, Date.now() - 2 * 3600 * 1000));
    await p.goto('/account');
    expect(new URL(p.url()).pathname).toBe('/account');
    expect((await cookie(context, REFRESH_COOKIE))!.value).not.toBe(before);

    // Logging out ends the remembered session too: its refresh cookie is worthless afterwards.
    await new SiteHeader(p).logOut();
    await putCookie(context, REFRESH_COOKIE, before);
    await p.goto('/account');
    await new LoginPage(p).expectSentHere('Your session expired. Please log in again.');
  });
});
