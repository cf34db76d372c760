// The findings of the white-box review of 2026-12 (docs/security.md, "Review of 2026-12-02"),
// each checked as a visitor or an API client would meet it. The concurrent bursts and the
// open-redirect table live in adversarial.test.ts.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiCall } from './support/api';
import { expectAtLogin, expectText, launchBrowser, logIn, newContext, newPerson, registration, type Person } from './support/browser';
import { waitForMail } from './support/outbox';
import { startServer } from './support/server';

// Production on http://127.0.0.1: cookies are Secure and __Host- prefixed.
const SESSION = '__Host-gatehouse.session';
const REFRESH = '__Host-gatehouse.refresh';
const DEVICE = '__Host-gatehouse.device';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const call = (method: string, path: string, options: Parameters<typeof apiCall>[3] = {}) => apiCall(inject('baseUrl'), method, path, options);

async function account(): Promise<{ person: Person; token: string }> {
  const person = newPerson();
  expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
  const token = (await call('POST', '/auth/token', { body: { login: person.username, password: person.password } })).body.access_token;
  return { person, token };
}

async function signedIn(person: Person): Promise<BrowserContext> {
  const context = await newContext(browser);
  const page = await context.newPage();
  await logIn(page, person.username, person.password);
  await page.waitForURL('**/account');
  return context;
}

const cookieOf = async (context: BrowserContext, name: string) => (await context.cookies()).find((c) => c.name === name)?.value;

describe('tokens of the two kinds', () => {
  it('an API token planted as the session cookie is no session: the page sends the person to log in, and nothing renews it', async () => {
    const { token } = await account();
    const response = await fetch(`${inject('baseUrl')}/account`, { redirect: 'manual', headers: { cookie: `${SESSION}=${token}` } });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toMatch(/^\/login\?next=%2Faccount&reason=invalid$/);
    const setCookies = response.headers.getSetCookie();
    expect(setCookies.some((c) => c.startsWith(`${SESSION}=;`) || /^__Host-gatehouse\.session=;/.test(c) || c.includes('Max-Age=0'))).toBe(true);
    expect(setCookies.some((c) => c.startsWith(`${SESSION}=ey`))).toBe(false);
  });

  it('a browser’s session cookie sent as a bearer token is refused', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
    const context = await signedIn(person);
    const cookie = (await cookieOf(context, SESSION))!;
    const result = await call('GET', '/me', { token: cookie });
    expect({ status: result.status, code: result.body.error.code }).toEqual({ status: 401, code: 'invalid_token' });
    await context.close();
  });
});

describe('/auth/refresh without a refresh cookie', () => {
  it('goes to `next` and leaves the cookies alone: a link from another site logs nobody out', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
    const context = await signedIn(person);
    const page = await context.newPage();
    const before = await cookieOf(context, SESSION);
    const response = await context.request.get('/auth/refresh?next=/account', { maxRedirects: 0 });
    expect(response.status()).toBe(307);
    expect(response.headers()['location']).toBe('/account');
    expect(response.headers()['set-cookie']).toBeUndefined();
    expect(await cookieOf(context, SESSION)).toBe(before);
    await page.goto('/account');
    expect(new URL(page.url()).pathname).toBe('/account');
    await context.close();
  });
});

describe('a password change', () => {
  it('moves this browser’s session to new cookies: a copy of the old ones stops working', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
    const context = await newContext(browser);
    const page = await context.newPage();
    await logIn(page, person.username, person.password, { remember: true });
    await page.waitForURL('**/account');
    const [oldSession, oldRefresh] = [await cookieOf(context, SESSION), await cookieOf(context, REFRESH)];

    await page.goto('/account/security');
    await page.fill('#currentPassword', person.password);
    await page.fill('#newPassword', 'a fresh passphrase now');
    await page.fill('#confirmPassword', 'a fresh passphrase now');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expectText(page, '#password-status', 'Your password was changed. You had no other sessions; this one stays signed in.');
    expect(await cookieOf(context, SESSION)).not.toBe(oldSession);
    expect(await cookieOf(context, REFRESH)).not.toBe(oldRefresh);

    // This browser stays signed in; the stolen copies are worth nothing.
    await page.goto('/account');
    expect(new URL(page.url()).pathname).toBe('/account');
    const stolen = await fetch(`${inject('baseUrl')}/api/v1/me`, { headers: { cookie: `${SESSION}=${oldSession}` } });
    expect(stolen.status).toBe(401);
    const refreshed = await fetch(`${inject('baseUrl')}/auth/refresh?next=/account`, { redirect: 'manual', headers: { cookie: `${REFRESH}=${oldRefresh}` } });
    expect(refreshed.headers.get('location')).toBe('/login?next=%2Faccount&reason=expired');
    await context.close();
  });
});

describe('device cookies', () => {
  it('a stranger’s burst locks out unknown browsers only: the owner’s own browser still logs in', async () => {
    const person = newPerson();
    expect((await call('POST', '/auth/register', { body: registration(person) })).status).toBe(201);
    const owners = await signedIn(person);
    expect(await cookieOf(owners, DEVICE)).toMatch(/^\d+\.[\w-]{22}\.\d+\.[\w-]{43}$/);
    const page = owners.pages()[0]!;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login?reason=signed-out');

    const guesses = await Promise.all(Array.from({ length: 12 }, () => call('POST', '/auth/token', { body: { login: person.email, password: 'a stranger guessing' } })));
    expect(guesses.filter((g) => g.status === 429).length).toBeGreaterThanOrEqual(7);

    // A browser that never logged in to the account is locked out, right password or not.
    const stranger = await (await newContext(browser)).newPage();
    await logIn(stranger, person.username, person.password);
    await expectText(stranger, '#form-error', 'Too many attempts. Try again in 15 minutes.');
    // The owner's browser has its own budget.
    await logIn(page, person.username, person.password);
    await page.waitForURL('**/account');
    await owners.close();
  });
});

describe('probing for accounts through the profile', () => {
  it('a registered address gets the same answer as a free one, and its owner a notice without a code', async () => {
    const me = await account();
    const someone = await account();
    const free = newPerson().email;
    const toFree = await call('POST', `/users/${me.person.username}/email`, { token: me.token, body: { newEmail: free, currentPassword: me.person.password } });
    // A new code may go out once a minute: let the window pass as time would.
    const toTaken = await call('POST', `/users/${someone.person.username}/email`, {
      token: someone.token,
      body: { newEmail: me.person.email, currentPassword: someone.person.password },
    });
    expect(toFree.status).toBe(202);
    expect(toTaken.status).toBe(202);
    expect(toTaken.body.message).toBe(toFree.body.message.replace(free, me.person.email).replace(me.person.username, someone.person.username));
    const notice = await waitForMail(me.person.email);
    expect(notice.subject).toBe('Someone tried to use your address on Gatehouse');
    expect(notice.text).not.toMatch(/\b\d{6}\b/);
    // Nothing moved: the address is still mine.
    expect((await call('GET', '/me', { token: someone.token })).body.user.email).toBe(someone.person.email);
  });

  it('username changes are limited: 20 an hour per account, then 429 with Retry-After', async () => {
    const me = await account();
    const taken = (await account()).person.username;
    for (let i = 0; i < 20; i += 1) {
      const result = await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { username: taken } });
      expect(result.status, `try ${i + 1}`).toBe(409);
    }
    const limited = await call('PATCH', `/users/${me.person.username}`, { token: me.token, body: { username: taken } });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('too_many_requests');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(60);
  });
});

describe('a full hashing queue', () => {
  it('answers 503 busy with Retry-After, never a 500, and changes nothing', async () => {
    const server = await startServer({ TRUST_PROXY: '1', PASSWORD_HASH_THREADS: '1', PASSWORD_HASH_QUEUE: '1' });
    try {
      const person = newPerson();
      expect((await apiCall(server.baseUrl, 'POST', '/auth/register', { body: registration(person) })).status).toBe(201);
      const results = await Promise.all(
        Array.from({ length: 12 }, () => apiCall(server.baseUrl, 'POST', '/auth/token', { body: { login: `nobody${Math.random()}`, password: 'whatever it is' } })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
      const busy = results.find((r) => r.status === 503)!;
      expect(busy.body.error.code).toBe('busy');
      expect(busy.headers.get('retry-after')).toBe('5');
      // Busy answers cost no tries: the account still logs in.
      expect((await apiCall(server.baseUrl, 'POST', '/auth/token', { body: { login: person.username, password: person.password } })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
