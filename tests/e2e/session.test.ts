import { base64url } from 'jose';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signSessionToken } from '@/lib/auth/token';
import {
  baseUrl,
  expectAtLogin,
  expectText,
  launchBrowser,
  launchProfile,
  logIn,
  logOut,
  newContext,
  newPerson,
  register,
  tempProfileDir,
  textOf,
  type Person,
} from './support/browser';

// The server runs as production on http://127.0.0.1, so cookies are Secure and __Host- prefixed.
const SESSION = '__Host-gatehouse.session';
const REFRESH = '__Host-gatehouse.refresh';

let browser: Browser;
let person: Person;
beforeAll(async () => {
  process.env.AUTH_SECRET = inject('authSecret');
  browser = await launchBrowser();
  const context = await newContext(browser);
  person = newPerson();
  await register(await context.newPage(), person);
  await context.close();
});
afterAll(async () => {
  await browser?.close();
});

async function cookie(context: BrowserContext, name: string) {
  return (await context.cookies()).find((c) => c.name === name);
}

/** Puts a cookie in the browser as the server would have set it. */
async function putCookie(context: BrowserContext, name: string, value: string) {
  const { hostname } = new URL(baseUrl());
  await context.addCookies([{ name, value, domain: hostname, path: '/', httpOnly: true, secure: true, sameSite: 'Lax' }]);
}
const setSessionCookie = (context: BrowserContext, value: string) => putCookie(context, SESSION, value);

describe('logging in', () => {
  it('works with the username in any case and with the email', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await logIn(p, person.username.toUpperCase(), person.password);
    await p.waitForURL('**/account');
    await logOut(p);
    await logIn(p, person.email, person.password);
    await p.waitForURL('**/account');
    expect(await textOf(p, '[data-field="Username"]')).toBe(person.username);
  });

  it('gives one message for a wrong password and for an unknown account', async () => {
    const p = await (await newContext(browser)).newPage();
    await logIn(p, person.username, 'not the password');
    await p.waitForSelector('#form-error');
    const wrongPassword = await textOf(p, '#form-error');
    await logIn(p, 'nobody-by-this-name', 'not the password');
    await expectText(p, '#form-error', wrongPassword);
    expect(wrongPassword).toBe('That email or username and password don’t match an account.');
    expect(await p.inputValue('#login')).toBe('nobody-by-this-name');
    expect(await p.inputValue('#password')).toBe('');
  });

  it('issues a signed HS256 JWT in an HttpOnly, Secure, SameSite=Lax browser-session cookie', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await logIn(p, person.username, person.password);
    await p.waitForURL('**/account');
    const session = await cookie(context, SESSION);
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/', expires: -1 });
    const [header, payload, signature] = session!.value.split('.');
    expect(signature).toBeTruthy();
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(header!)))).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
    expect(claims).toMatchObject({ username: person.username, iss: 'gatehouse', aud: 'gatehouse/browser' });
    expect(typeof claims.sub).toBe('string');
    expect(typeof claims.sid).toBe('string');
    expect(claims.exp - claims.iat).toBeLessThanOrEqual(3600);
    expect(await cookie(context, REFRESH)).toBeUndefined();
  });
});

describe('protected pages', () => {
  it('send a visitor to log in, then back where they were going', async () => {
    const p = await (await newContext(browser)).newPage();
    await p.goto('/account?tab=profile');
    await p.waitForURL(/\/login\?next=/);
    expect(new URL(p.url()).searchParams.get('next')).toBe('/account?tab=profile');
    await p.fill('#login', person.username);
    await p.fill('#password', person.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL('**/account?tab=profile');
    expect(await textOf(p, 'h1')).toBe('Your account');
  });

  it('never follow `next` off the site', async () => {
    const p = await (await newContext(browser)).newPage();
    await logIn(p, person.username, person.password, { path: '/login?next=https://evil.example/phish' });
    await p.waitForURL(`${baseUrl()}/account`);
    const q = await (await newContext(browser)).newPage();
    await logIn(q, person.username, person.password, { path: '/login?next=//evil.example' });
    await q.waitForURL(`${baseUrl()}/account`);
  });

  it('show the visitor’s state on the public home page', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await p.goto('/');
    expect(await textOf(p, '#visitor-state')).toContain('not logged in');
    await logIn(p, person.username, person.password);
    await p.waitForURL('**/account');
    await p.goto('/');
    expect(await textOf(p, '#visitor-state')).toBe(`You’re logged in as ${person.username}.`);
  });
});

describe('logging out', () => {
  it('is a button in the header, and afterwards the account is out of reach', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await logIn(p, person.username, person.password);
    await p.waitForURL('**/account');
    await logOut(p);
    expect(await textOf(p, '#login-reason')).toBe('You have been logged out.');
    expect(await cookie(context, SESSION)).toBeUndefined();
    expect(await p.getByRole('button', { name: 'Log out' }).count()).toBe(0);

    await p.goto('/account');
    await p.waitForURL(/\/login\?next=%2Faccount$/);
  });

  it('refuses the old cookie replayed after logout', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await logIn(p, person.username, person.password);
    await p.waitForURL('**/account');
    const old = (await cookie(context, SESSION))!.value;
    await logOut(p);

    const replay = await newContext(browser);
    await setSessionCookie(replay, old);
    const q = await replay.newPage();
    await q.goto('/account');
    await expectAtLogin(q, 'Your session has ended. Please log in again.');
    await q.goto('/');
    expect(await textOf(q, '#visitor-state')).toContain('not logged in');
  });
});

describe('a bad session cookie', () => {
  it('that was tampered with: "invalid", and the cookie is dropped', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await logIn(p, person.username, person.password);
    await p.waitForURL('**/account');
    const [header, payload, signature] = (await cookie(context, SESSION))!.value.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
    const forged = base64url.encode(JSON.stringify({ ...claims, username: 'admin', sub: '1' }));
    await setSessionCookie(context, `${header}.${forged}.${signature}`);
    await p.goto('/account');
    await expectAtLogin(p, 'Your session is invalid. Please log in again.');
    expect(await cookie(context, SESSION)).toBeUndefined();
  });

  it('that has expired: "expired", and logging in again brings them back', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await logIn(p, person.username, person.password);
    await p.waitForURL('**/account');
    const { sub, sid } = JSON.parse(
      new TextDecoder().decode(base64url.decode((await cookie(context, SESSION))!.value.split('.')[1]!)),
    );
    const expired = await signSessionToken({ sub, sid, username: person.username }, 'browser', Date.now() - 2 * 3600 * 1000);
    await setSessionCookie(context, expired);
    await p.goto('/account');
    await expectAtLogin(p, 'Your session expired. Please log in again.');
    await p.fill('#login', person.username);
    await p.fill('#password', person.password);
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.waitForURL('**/account');
  });

  it('signed with another secret: "invalid"', async () => {
    const context = await newContext(browser);
    const saved = process.env.AUTH_SECRET;
    process.env.AUTH_SECRET = 'some-other-secret-that-is-32-bytes-or-more';
    const foreign = await signSessionToken({ sub: '1', sid: 'x', username: 'ada' }, 'browser');
    process.env.AUTH_SECRET = saved;
    await setSessionCookie(context, foreign);
    const p = await context.newPage();
    await p.goto('/account');
    await expectAtLogin(p, 'Your session is invalid. Please log in again.');
  });
});

describe('"Keep me signed in"', () => {
  it('keeps the login across a browser restart; without it the restart logs out', async () => {
    const remembered = tempProfileDir();
    let context = await launchProfile(remembered);
    let p = context.pages()[0] ?? (await context.newPage());
    await logIn(p, person.username, person.password, { remember: true });
    await p.waitForURL('**/account');
    expect((await cookie(context, REFRESH))?.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    await context.close();

    context = await launchProfile(remembered);
    p = context.pages()[0] ?? (await context.newPage());
    await p.goto('/account');
    expect(new URL(p.url()).pathname).toBe('/account');
    expect(await textOf(p, '[data-field="Username"]')).toBe(person.username);
    await context.close();

    const forgetful = tempProfileDir();
    context = await launchProfile(forgetful);
    p = context.pages()[0] ?? (await context.newPage());
    await logIn(p, person.username, person.password);
    await p.waitForURL('**/account');
    await context.close();
    context = await launchProfile(forgetful);
    p = context.pages()[0] ?? (await context.newPage());
    await p.goto('/account');
    await p.waitForURL(/\/login\?next=%2Faccount$/);
    await context.close();
  });

  it('renews an expired session token silently from the refresh cookie', async () => {
    const context = await newContext(browser);
    const p = await context.newPage();
    await logIn(p, person.username, person.password, { remember: true });
    await p.waitForURL('**/account');
    const before = (await cookie(context, REFRESH))!.value;
    const { sub, sid } = JSON.parse(
      new TextDecoder().decode(base64url.decode((await cookie(context, SESSION))!.value.split('.')[1]!)),
    );
    await setSessionCookie(context, await signSessionToken({ sub, sid, username: person.username }, 'browser', Date.now() - 2 * 3600 * 1000));
    await p.goto('/account');
    expect(new URL(p.url()).pathname).toBe('/account');
    expect((await cookie(context, REFRESH))!.value).not.toBe(before);

    // Logging out ends the remembered session too: its refresh cookie is worthless afterwards.
    await logOut(p);
    await putCookie(context, REFRESH, before);
    await p.goto('/account');
    await expectAtLogin(p, 'Your session expired. Please log in again.');
  });
});
